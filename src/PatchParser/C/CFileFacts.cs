using PatchBot.PatchParser.Graph;

namespace PatchBot.PatchParser.C;

/// <summary>What the C layer read from the fragments of one file: the raw material of the call graph.</summary>
internal sealed class CFileFacts
{
    public List<FunctionNode> Functions { get; } = [];

    public List<CallSite> Calls { get; } = [];

    public List<Assignment> Assignments { get; } = [];

    public List<FieldAccess> FieldAccesses { get; } = [];

    public List<Registration> Registrations { get; } = [];

    public List<CoverageGap> Gaps { get; } = [];

    /// <summary>Calls through a member (<c>x->m(...)</c>, <c>x.m(...)</c>): <see cref="CallSite.Callee"/> is the member name.</summary>
    public List<MemberCall> MemberCalls { get; } = [];

    /// <summary>Functions stored in members of structs that are no kernel registration.</summary>
    public List<OpsSlot> OpsSlots { get; } = [];

    /// <summary>Variables and struct members declared with a struct type: what a call through an ops table goes through.</summary>
    public List<StructTypedName> TypedNames { get; } = [];

    /// <summary>Notifier registrations and the notifier_block variable they come from (for bus_register_notifier).</summary>
    public List<(Registration Registration, string Variable)> NotifierBlocks { get; } = [];

    /// <summary>Tokens read so far for this file, against <see cref="GraphOptions.MaxTokensPerFile"/>.</summary>
    public int TokensRead { get; set; }
}
