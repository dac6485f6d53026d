using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using PatchBot.Bot.GitHub;
using PatchBot.Bot.Sinks;
using PatchBot.Bot.Sources;
using PatchBot.Bot.State;

namespace PatchBot.Bot.Worker;

/// <summary>Builds the <c>patchbot serve</c> host: configuration (appsettings.json, an explicit --config file,
/// PATCHBOT_* environment variables, command-line overrides), options validated at start, the services.</summary>
internal static class ServeHost
{
    public static IHost Build(string? configPath, IReadOnlyList<string> overrides, TimeProvider? time = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [.. overrides],
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        if (configPath is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables("PATCHBOT_");
        builder.Configuration.AddCommandLine([.. overrides]);

        // One line per entry with control characters escaped (log lines quote mail: EscapingConsoleFormatter), unless
        // the configuration names another formatter (Logging:Console:FormatterName=json: JSON escapes them itself).
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.FormatterName = string.IsNullOrEmpty(o.FormatterName) ? EscapingConsoleFormatter.FormatterName : o.FormatterName);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, EscapingConsoleFormatter>());
        builder.Services.Configure<ConsoleFormatterOptions>(o =>
        {
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        // One extension per concern; each binds its own options classes (written out per class: the native build's
        // configuration-binding source generator cannot bind through a generic helper).
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddBotState(builder.Configuration);
        builder.Services.AddBotTelemetry(builder.Configuration);
        builder.Services.AddCrashPoints(builder.Configuration);
        builder.Services.AddReplySinks(builder.Configuration);
        builder.Services.AddSeriesProcessing(builder.Configuration);
        builder.Services.AddMailSources(builder.Configuration);
        if (builder.Configuration.GetSection(GitHubSourceOptions.SectionName).Exists())
        {
            builder.Services.AddGitHubSource(builder.Configuration); // pull requests from a GitHub webhook (src/Bot/GitHub)
        }

        return builder.Build();
    }
}
