using Microsoft.Extensions.Configuration;
using PatchBot.Bot.GitHub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddConsole();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        // Written out per options class (no generic helper): the configuration-binding source generator, which
        // the native build needs, cannot bind through a generic call.
        builder.Services.AddOptions<IdentityOptions>().Bind(builder.Configuration.GetSection(IdentityOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IdentityOptions>, IdentityOptionsValidator>();
        builder.Services.AddOptions<SourcesOptions>().Bind(builder.Configuration.GetSection(SourcesOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SourcesOptions>, SourcesOptionsValidator>();
        builder.Services.AddOptions<SmtpOptions>().Bind(builder.Configuration.GetSection(SmtpOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        builder.Services.AddOptions<SeriesOptions>().Bind(builder.Configuration.GetSection(SeriesOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SeriesOptions>, SeriesOptionsValidator>();
        builder.Services.AddOptions<DeliveryOptions>().Bind(builder.Configuration.GetSection(DeliveryOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();
        builder.Services.AddOptions<HealthOptions>().Bind(builder.Configuration.GetSection(HealthOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>();
        builder.Services.AddOptions<StateOptions>().Bind(builder.Configuration.GetSection(StateOptions.Section))
            .Validate(s => !string.IsNullOrWhiteSpace(s.Path), "State:Path is empty").ValidateOnStart();

        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton(sp => new BotStore(sp.GetRequiredService<IOptions<StateOptions>>().Value.Path, exclusive: true));
        builder.Services.AddSingleton<BotMetrics>();
        builder.Services.AddSingleton<MailIntake>();
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddHostedService<StartupLog>();
        builder.Services.AddHostedService<SeriesProcessor>();
        builder.Services.AddHostedService<SourceRunner>();
        builder.Services.AddHostedService<HealthServer>();
        if (builder.Configuration.GetSection(GitHub.GitHubSourceOptions.SectionName).Exists())
        {
            builder.Services.AddGitHubSource(builder.Configuration); // pull requests from a GitHub webhook (src/Bot/GitHub)
        }

        return builder.Build();
    }
}

/// <summary>Logs what the bot runs with, once, and that it stops.</summary>
internal sealed class StartupLog(
    IOptions<SourcesOptions> sources,
    IOptions<StateOptions> state,
    IOptions<SmtpOptions> smtp,
    IHostApplicationLifetime lifetime,
    ILogger<StartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var s = sources.Value;
        string mailer = smtp.Value.Host is { } h ? $"{h}:{smtp.Value.Port}" : "none (every list is dry-run)";
        BotLog.Started(logger, s.Imap.Count + s.PublicInbox.Count + s.Folders.Count, Path.GetFullPath(state.Value.Path), mailer);
        lifetime.ApplicationStopping.Register(() => BotLog.Stopping(logger));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
