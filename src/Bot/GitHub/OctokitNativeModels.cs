using System.Diagnostics.CodeAnalysis;
using Octokit;

namespace PatchBot.Bot.GitHub;

/// <summary>
/// What Octokit's reflection-based JSON serializer needs in the Native AOT build (scripts/patchbot). Octokit's own
/// types are kept whole (TrimmerRootAssembly in Bot.csproj), but the generic instantiations its serializer builds at
/// run time are not: a <c>StringEnum&lt;CheckStatus&gt;</c> whose <c>Value</c> getter was never compiled is serialized
/// with no "value" member (KeyNotFoundException in GitHubSerializerStrategy.TrySerializeUnknownTypes, on the first
/// check run), and a response list fails with NullReferenceException because <c>List&lt;GitHubCommitFile&gt;(int)</c>
/// has no constructor to call. The attributes below make the compiler generate each one.
/// <para>
/// The request and response models PatchBot sends and reads are listed first; every list, dictionary and
/// <c>StringEnum</c> reachable from their properties follows (Octokit fills every property the answer has).
/// Bot.Tests OctokitNativeModelsTests walks the models and fails, printing the missing lines, when one is absent.
/// </para>
/// </summary>
internal static class OctokitNativeModels
{
    private const DynamicallyAccessedMemberTypes Model = DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.NonPublicConstructors
        | DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.NonPublicProperties | DynamicallyAccessedMemberTypes.PublicFields;

    private const DynamicallyAccessedMemberTypes Collection = DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods;

    /// <summary>Called once where the client is built, so the attributes are part of the binary.</summary>
    // The models PatchBot sends (request bodies) and reads (answers, and the error body of a failed request).
    [DynamicDependency(Model, typeof(NewCheckRun))]
    [DynamicDependency(Model, typeof(CheckRunUpdate))]
    [DynamicDependency(Model, typeof(NewCommitStatus))]
    [DynamicDependency(Model, "Octokit.BodyWrapper", "Octokit")]
    [DynamicDependency(Model, typeof(CheckRun))]
    [DynamicDependency(Model, typeof(CommitStatus))]
    [DynamicDependency(Model, typeof(IssueComment))]
    [DynamicDependency(Model, typeof(PullRequestCommit))]
    [DynamicDependency(Model, typeof(GitHubCommit))]
    [DynamicDependency(Model, typeof(RepositoryContent))]
    [DynamicDependency(Model, typeof(ApiError))]
    // Lists: Octokit creates List<T>(int) for every IReadOnlyList<T> in a model.
    [DynamicDependency(Collection, typeof(List<ApiErrorDetail>))]
    [DynamicDependency(Collection, typeof(List<GitHubCommitFile>))]
    [DynamicDependency(Collection, typeof(List<GitReference>))]
    [DynamicDependency(Collection, typeof(List<Label>))]
    [DynamicDependency(Collection, typeof(List<NewCheckRunAction>))]
    [DynamicDependency(Collection, typeof(List<NewCheckRunAnnotation>))]
    [DynamicDependency(Collection, typeof(List<NewCheckRunImage>))]
    [DynamicDependency(Collection, typeof(List<PullRequest>))]
    [DynamicDependency(Collection, typeof(List<string>))]
    [DynamicDependency(Collection, typeof(List<Team>))]
    [DynamicDependency(Collection, typeof(List<User>))]
    [DynamicDependency(Collection, typeof(List<IssueComment>))]
    [DynamicDependency(Collection, typeof(List<PullRequestCommit>))]
    [DynamicDependency(Collection, typeof(List<RepositoryContent>))]
    // StringEnum<T>: a struct over an enum, so each one is its own code (the constructor from the JSON string, Value for writing).
    [DynamicDependency(Model, typeof(StringEnum<AuthorAssociation>))]
    [DynamicDependency(Model, typeof(StringEnum<CheckAnnotationLevel>))]
    [DynamicDependency(Model, typeof(StringEnum<CheckConclusion>))]
    [DynamicDependency(Model, typeof(StringEnum<CheckStatus>))]
#pragma warning disable CS0618 // NewCheckRunAnnotation still carries the obsolete WarningLevel
    [DynamicDependency(Model, typeof(StringEnum<CheckWarningLevel>))]
#pragma warning restore CS0618
    [DynamicDependency(Model, typeof(StringEnum<CommitState>))]
    [DynamicDependency(Model, typeof(StringEnum<ContentType>))]
    [DynamicDependency(Model, typeof(StringEnum<InstallationReadPermissionLevel>))]
    [DynamicDependency(Model, typeof(StringEnum<InstallationReadWriteAdminPermissionLevel>))]
    [DynamicDependency(Model, typeof(StringEnum<InstallationReadWritePermissionLevel>))]
    [DynamicDependency(Model, typeof(StringEnum<InstallationWritePermissionLevel>))]
    [DynamicDependency(Model, typeof(StringEnum<ItemState>))]
    [DynamicDependency(Model, typeof(StringEnum<LockReason>))]
    [DynamicDependency(Model, typeof(StringEnum<MergeableState>))]
    [DynamicDependency(Model, typeof(StringEnum<TeamPrivacy>))]
    [DynamicDependency(Model, typeof(StringEnum<VerificationReason>))]
    public static void Keep()
    {
        // The attributes are the work.
    }
}
