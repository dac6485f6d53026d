using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Octokit;
using PatchBot.Bot.GitHub;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>
/// The Native AOT build keeps what Octokit's reflection-based serializer builds at run time only when
/// <see cref="OctokitNativeModels"/> names it. Walks every model named there the way Octokit's serializer does (each
/// public property, into lists, dictionaries, nullables and StringEnum) and requires each generic instantiation it meets.
/// NativeWebhookTests runs the shipped binary; this test says what is missing, without a native build.
/// </summary>
public sealed class OctokitNativeModelsTests
{
    private static readonly IReadOnlyList<DynamicDependencyAttribute> Kept =
        [.. typeof(OctokitNativeModels).GetMethod(nameof(OctokitNativeModels.Keep))!.GetCustomAttributes<DynamicDependencyAttribute>()];

    [Fact]
    public void Every_list_and_string_enum_of_the_models_is_kept()
    {
        var keptTypes = Kept.Select(k => k.Type ?? Type.GetType($"{k.TypeName}, {k.AssemblyName}", throwOnError: true)!).ToHashSet();
        var models = keptTypes.Where(t => t.Assembly == typeof(CheckRun).Assembly && !t.IsGenericType).ToList();
        Assert.Contains(typeof(GitHubCommit), models);
        Assert.Contains(typeof(NewCheckRun), models);

        var needed = new HashSet<Type>();
        var seen = new HashSet<Type>();
        foreach (var model in models)
        {
            Walk(model, seen, needed);
        }

        var missing = needed.Where(t => !keptTypes.Contains(t)).Select(Attribute).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "add to OctokitNativeModels.Keep:\n" + string.Join('\n', missing));
    }

    /// <summary>The instantiations Octokit's serializer creates for <paramref name="type"/> and all it holds.</summary>
    private static void Walk(Type type, HashSet<Type> seen, HashSet<Type> needed)
    {
        if (!seen.Add(type))
        {
            return;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            Walk(underlying, seen, needed);
            return;
        }

        if (type.IsArray)
        {
            Walk(type.GetElementType()!, seen, needed);
            return;
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            if (definition == typeof(StringEnum<>))
            {
                needed.Add(type);
                return;
            }

            if (arguments.Length == 1 && typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
            {
                needed.Add(typeof(List<>).MakeGenericType(arguments[0])); // what Octokit creates for any list interface
                Walk(arguments[0], seen, needed);
                return;
            }

            if (arguments.Length == 2 && typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
            {
                needed.Add(typeof(Dictionary<,>).MakeGenericType(arguments));
                Walk(arguments[1], seen, needed);
                return;
            }
        }

        if (type.Assembly != typeof(CheckRun).Assembly)
        {
            return; // string, numbers, DateTimeOffset, Uri: no reflection
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Walk(property.PropertyType, seen, needed);
        }
    }

    private static string Attribute(Type type) => $"[DynamicDependency({(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(StringEnum<>) ? "Model" : "Collection")}, typeof({Name(type)}))]";

    private static string Name(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>" : type.Name;
}
