using PatchBot.PatchParser.Graph;
using PatchBot.Rules.Model;

namespace PatchBot.Rules.Replay;

/// <summary>Places every path to an effect site on each scenario's timeline and compares it with the effect's consumer.</summary>
internal sealed class Replayer
{
    private readonly LifecycleModel model;
    private readonly CallWalker walker;

    public Replayer(LifecycleModel model, CallWalker walker)
    {
        this.model = model;
        this.walker = walker;
    }

    public SiteReplay Replay(EffectSite site)
    {
        var effect = model.Effect(site.Effect);
        var consumer = site.Event ?? effect.ConsumedBy;
        var verdicts = new List<PathVerdict>();
        if (site.Kind == SiteKind.Registration)
        {
            foreach (var anchored in site.Registrations ?? [])
            {
                if (Verdict(anchored.Registration, [], consumer, effect.After) is { } v)
                {
                    verdicts.Add(v);
                }
            }
        }
        else
        {
            foreach (var path in site.Paths ?? walker.PathsTo(site.Function, site.File))
            {
                if (Verdict(path.Entry, path.Calls, consumer, effect.After) is { } v)
                {
                    verdicts.Add(v);
                }
            }
        }

        return new SiteReplay(site, consumer, verdicts, model.Scenarios.Count);
    }

    /// <param name="after">The effect must come after <paramref name="consumer"/> (which sets up what it uses), not before.</param>
    private PathVerdict? Verdict(Registration entry, IReadOnlyList<CallSite> calls, DeviceEvent consumer, bool after)
    {
        if (model.EventOf(entry) is not { } placed)
        {
            return null;
        }

        var failed = model.Scenarios
            .Where(s => after
                ? model.Position(s, placed.Event) < model.Position(s, consumer)
                : model.Position(s, placed.Event) > model.Position(s, consumer))
            .ToList();
        return new PathVerdict(entry, placed.Event, calls, failed);
    }
}
