using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Tests.Serve;

/// <summary>What the serve host registers: crash points that do nothing unless armed, and the rule configuration
/// checked at start by the loader <c>check</c> uses.</summary>
public sealed class ServeRegistrationTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("patchbot-serve-");

    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void Crash_points_do_nothing_unless_the_fault_setting_names_one()
    {
        using (var plain = ServeHost.Build(null, []))
        {
            var points = plain.Services.GetRequiredService<ICrashPoints>();
            Assert.IsType<NoCrashPoints>(points);
            points.Reached("stored"); // returns: the process lives on
        }

        using var armed = ServeHost.Build(null, ["--Fault=stored"]);
        Assert.IsType<KillingCrashPoints>(armed.Services.GetRequiredService<ICrashPoints>());
    }

    [Fact]
    public void Every_stage_of_serve_is_registered()
    {
        using var host = ServeHost.Build(null, []);
        var hosted = host.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();
        Assert.Equal(["StartupLog", "HealthServer", "SeriesProcessor", "TreeFetcher", "SourceRunner"], hosted);
    }

    [Fact]
    public void A_bad_rules_config_stops_serve_at_start_with_the_message_check_gives_beside_the_other_problems()
    {
        string rules = Path.Combine(dir.FullName, "rules.json");
        File.WriteAllText(rules, """{ "rules": { "no-such-rule": "off" } }""");
        string patch = Path.Combine(RepoPaths.Root, "tests", "fixtures", "rules", "dma-alias-after-iommu-group", "bad-probe-helper.patch");

        var check = CliProcess.Run(["check", "--no-tree", "--config", rules, patch], workingDirectory: dir.FullName);
        var serve = CliProcess.Run(["serve", $"--Series:RulesConfig={rules}", "--Sources:Folders:0:Path=" + dir.FullName, "--Health:Address=0.0.0.0"], workingDirectory: dir.FullName);

        Assert.Equal(2, check.ExitCode);
        Assert.Equal(2, serve.ExitCode);
        string message = $"{rules}: unknown rule id no-such-rule";
        Assert.Contains($"patchbot check: {message}", check.Stderr, StringComparison.Ordinal);
        Assert.Contains($"Series:RulesConfig: {message}", serve.Stderr, StringComparison.Ordinal);
        Assert.Contains("Health:Address '0.0.0.0' must be a loopback address", serve.Stderr, StringComparison.Ordinal); // reported together
    }
}
