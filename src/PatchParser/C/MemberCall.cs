using PatchBot.PatchParser.Graph;

namespace PatchBot.PatchParser.C;

/// <summary>A call through a member, <c>inno-&gt;plat_data-&gt;ops-&gt;init(inno)</c>: <see cref="CallSite.Callee"/> is the member.</summary>
/// <param name="Receiver">The variable and members the called member is read from (inno, plat_data, ops); null when the
/// receiver is no such chain (<c>f(x)-&gt;m()</c>, <c>ops[i]-&gt;m()</c>).</param>
internal sealed record MemberCall(CallSite Call, IReadOnlyList<string>? Receiver);
