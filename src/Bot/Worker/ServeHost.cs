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

        AddOptions<IdentityOptions, IdentityOptionsValidator>(builder, IdentityOptions.Section);
        AddOptions<SourcesOptions, SourcesOptionsValidator>(builder, SourcesOptions.Section);
        AddOptions<SmtpOptions, SmtpOptionsValidator>(builder, SmtpOptions.Section);
        AddOptions<SeriesOptions, SeriesOptionsValidator>(builder, SeriesOptions.Section);
        AddOptions<DeliveryOptions, DeliveryOptionsValidator>(builder, DeliveryOptions.Section);
        AddOptions<HealthOptions, HealthOptionsValidator>(builder, HealthOptions.Section);
        builder.Services.AddOptions<StateOptions>().Bind(builder.Configuration.GetSection(StateOptions.Section))
            .Validate(s => !string.IsNullOrWhiteSpace(s.Path), "State:Path is empty").ValidateOnStart();

        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton(sp => new BotStore(sp.GetRequiredService<IOptions<StateOptions>>().Value.Path));
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

    private static void AddOptions<TOptions, TValidator>(HostApplicationBuilder builder, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        builder.Services.AddOptions<TOptions>().Bind(builder.Configuration.GetSection(section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
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
