using System.Text;
using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;
using PatchBot.Rules.Replay;

namespace PatchBot.Rules.Catalog;

/// <summary>Words for findings: entry-point labels, traces and the order of kernel events.</summary>
internal static class Narration
{
    /// <summary>"foo_probe (pci_driver.probe)", "quirk_x (DECLARE_PCI_FIXUP_FINAL via SWITCHTEC_QUIRK)".</summary>
    public static string EntryLabel(Registration entry) =>
        $"{entry.Function} ({Registered(entry)}{(entry.Inferred ? ", inferred" : string.Empty)})";

    /// <summary>The entry, the functions called on the way (with the ops table member a call goes through), then the site's own labels down to the API.</summary>
    public static List<string> Trace(PathVerdict path, EffectSite site)
    {
        var trace = new List<string> { EntryLabel(path.Entry) };
        trace.AddRange(path.Calls.Select(c => c.Through is { } ops ? $"{c.Callee} (through {ops})" : c.Callee));
        trace.AddRange(site.Down);
        return trace;
    }

    /// <summary>"DECLARE_PCI_FIXUP_FINAL", or "SWITCHTEC_QUIRK -> DECLARE_PCI_FIXUP_CLASS_FINAL" through a wrapper.</summary>
    public static string Registered(Registration entry) =>
        entry.ViaMacro is { Length: > 0 } macro && !string.Equals(macro, entry.Idiom, StringComparison.Ordinal)
            ? $"{macro} -> {entry.Idiom}"
            : entry.Idiom;

    /// <summary>
    /// One sentence per failed scenario naming the kernel events in order, from the first fixups to the one at
    /// which <paramref name="who"/> runs, with the consumer marked. Only the model's landmark events, the consumer
    /// and the entry's own event are named.
    /// </summary>
    public static string Order(LifecycleModel model, PathVerdict path, DeviceEvent consumer, string who) =>
        Order(model, path, consumer, who, model.Document.Effects.First(e => e.ConsumedBy == consumer).Deadline);

    /// <summary>
    /// As <see cref="Order(LifecycleModel, PathVerdict, DeviceEvent, string)"/> with the consumer marked by
    /// <paramref name="deadline"/>; when the entry runs before the consumer (an effect that must come after it), the
    /// account goes on to the consumer.
    /// </summary>
    public static string Order(LifecycleModel model, PathVerdict path, DeviceEvent consumer, string who, string deadline)
    {
        var text = new StringBuilder();
        foreach (var scenario in path.Failed)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append("On ").Append(scenario.Title).Append(": ");
            var first = true;
            foreach (var ev in scenario.Timeline)
            {
                if (ev != consumer && ev != path.EntryEvent && !model.Event(ev).Landmark)
                {
                    continue;
                }

                if (!first)
                {
                    text.Append(" -> ");
                }

                first = false;
                text.Append(model.Event(ev).Name);
                if (ev == consumer)
                {
                    text.Append(" [").Append(deadline).Append(']');
                }

                if (ev == path.EntryEvent)
                {
                    text.Append(" [").Append(who).Append(" runs here]");
                    if (model.Position(scenario, consumer) <= model.Position(scenario, ev))
                    {
                        break;
                    }
                }
                else if (ev == consumer && model.Position(scenario, path.EntryEvent) < model.Position(scenario, ev))
                {
                    break;
                }
            }

            text.Append('.');
        }

        return text.ToString();
    }

    /// <summary>"the call of foo_setup() in foo_probe()", "the registration of foo_probe() (pci_driver.probe)", "foo_setup() as
    /// foo_ops.setup, called by foo_probe()": an added path element.</summary>
    public static string Added(SiteAnchor anchor) =>
        anchor.Registration is { } r ? $"the registration of {r.Function}() ({Registered(r)})"
        : anchor.Slot is { } s ? $"{s.Function}() as {s.StructType}.{s.Member}, called by {anchor.Call?.Caller}()"
        : $"the call of {anchor.Call?.Callee}() in {anchor.Function}()";

    /// <summary>"pci_add_dma_alias()" for a call, the assignment text for a field write.</summary>
    public static string What(EffectSite site) =>
        site.Kind is SiteKind.FieldWrite or SiteKind.FieldRead || !site.What.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? site.Kind == SiteKind.Registration ? site.What : site.Down[^1]
            : site.What + "()";
}
