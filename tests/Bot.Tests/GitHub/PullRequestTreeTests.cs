using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using PatchBot.Bot.GitHub;
using PatchBot.Engine.Tree;

namespace PatchBot.Bot.Tests.GitHub;

/// <summary>
/// The GitHub service with a clone of the repository (GitHub:Clones): a pull request is analysed against its base commit
/// read from the clone, fetched from origin when the clone does not have it yet, so a caller in a file the pull request
/// does not touch is seen. Against Prism (GitHub's OpenAPI description) with real git repositories.
/// </summary>
[Collection(PrismGroup.Name)]
public sealed class PullRequestTreeTests(PrismServer prism) : IDisposable
{
    private const string Helper = "acme-core.c";

    private readonly Repo _origin = new();

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("patchbot-ghclone-");

    public void Dispose()
    {
        _origin.Dispose();
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task A_pull_request_is_analysed_at_its_base_fetched_into_the_clone_and_finds_the_caller_in_another_file()
    {
        // The clone is made before the base commit exists: the service has to fetch it.
        _origin.Write(Helper, CoreFile(alias: false));
        _origin.Write("acme-pci.c", PciFile);
        _origin.Commit("acme: a driver split in two files");
        string clone = Path.Combine(_work.FullName, "linux.git");
        _origin.Git("clone", "-q", "--mirror", _origin.Path, clone);
        _origin.Write("acme-pci.c", PciFile.Replace("ready", "up", StringComparison.Ordinal));
        string baseSha = _origin.Commit("acme: a later change on master");
        _origin.Write(Helper, CoreFile(alias: true));
        _origin.Commit("acme: alias function 0");
        string hunk = _origin.Git("diff", "HEAD~1", "HEAD", "--", Helper);
        hunk = hunk[hunk.IndexOf("@@ ", StringComparison.Ordinal)..] + "\n";
        Assert.Null(GitCommitTree.Resolve(clone, baseSha));

        var (withClone, summary) = await CheckAsync(baseSha, hunk, [new GitHubCloneOptions { Repository = "Octo-Org/linux", Path = clone }]);
        Assert.Equal(1, withClone.Findings);
        Assert.Contains($"Analysed against the base {baseSha[..12]} from the repository's clone.", summary, StringComparison.Ordinal);
        Assert.Contains("acme_probe (pci_driver.probe) → acme_setup → pci_add_dma_alias", summary, StringComparison.Ordinal);
        Assert.Equal(baseSha, GitCommitTree.Resolve(clone, baseSha)); // fetched

        var (without, plain) = await CheckAsync(baseSha, hunk, []);
        Assert.Equal(0, without.Findings);
        Assert.DoesNotContain("Analysed against", plain, StringComparison.Ordinal);

        var (unknownBase, noted) = await CheckAsync(new string('c', 40), hunk, [new GitHubCloneOptions { Repository = "octo-org/linux", Path = clone }]);
        Assert.Equal(0, unknownBase.Findings);
        Assert.Contains("Analysed against no tree: base cccccccccccc is not in the clone", noted, StringComparison.Ordinal);
    }

    private async Task<(PublishResult Result, string Summary)> CheckAsync(string baseSha, string hunk, List<GitHubCloneOptions> clones)
    {
        var transport = new PrismTransport
        {
            PreferStatus = request => request.RequestUri!.AbsolutePath.EndsWith("/contents/.patchbot.json", StringComparison.Ordinal) ? 404 : null,
            RewriteResponse = (request, body) => request.RequestUri!.AbsolutePath.Contains("/commits/", StringComparison.Ordinal) ? WithFile(body, hunk) : body,
        };
        var options = new GitHubSourceOptions
        {
            WebhookSecret = "s",
            Token = WebhookHost.Token,
            ApiBaseUrl = prism.BaseUrl,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
            Clones = clones,
        };
        var client = new GitHubClientFactory(options, TimeProvider.System, NullLoggerFactory.Instance, () => transport).Create();
        using var trees = new GitTrees(2, Path.Combine(_work.FullName, "cache"));
        var service = new PullRequestCheckService(client, options, TimeProvider.System, NullLogger<PullRequestCheckService>.Instance, trees);
        var result = await service.CheckAsync(new PullRequestEvent("opened", "octo-org", "linux", 7, new string('a', 40), baseSha, null), CancellationToken.None);
        Assert.True(transport.Rejected().Length == 0, "Prism rejected: " + transport.Rejected());
        string summary = JsonNode.Parse(transport.Exchanges.Last().RequestBody)!["output"]!["summary"]!.GetValue<string>();
        return (result, summary);
    }

    /// <summary>GitHub's example commit with its one file replaced by the helper file's hunk.</summary>
    private static string WithFile(string body, string hunk)
    {
        var commit = JsonNode.Parse(body)!;
        var file = commit["files"]![0]!;
        file["filename"] = Helper;
        file["status"] = "modified";
        file["patch"] = hunk;
        return commit.ToJsonString();
    }

    private static string CoreFile(bool alias) => $$"""
        // SPDX-License-Identifier: GPL-2.0
        #include <linux/pci.h>

        int acme_setup(struct pci_dev *pdev)
        {
        	int rc;

        	rc = pci_enable_device(pdev);
        	if (rc)
        		return rc;
        {{(alias ? "\tpci_add_dma_alias(pdev, 0, 1);\n" : string.Empty)}}
        	pci_set_master(pdev);
        	return 0;
        }
        EXPORT_SYMBOL_GPL(acme_setup);

        """;

    private const string PciFile = """
        // SPDX-License-Identifier: GPL-2.0
        #include <linux/module.h>
        #include <linux/pci.h>

        static int acme_probe(struct pci_dev *pdev, const struct pci_device_id *id)
        {
        	int rc = acme_setup(pdev);

        	if (rc)
        		return rc;
        	dev_info(&pdev->dev, "ready\n");
        	return 0;
        }

        static const struct pci_device_id acme_ids[] = {
        	{ PCI_DEVICE(0x1234, 0x5678) },
        	{ }
        };

        static struct pci_driver acme_driver = {
        	.name = "acme",
        	.id_table = acme_ids,
        	.probe = acme_probe,
        };
        module_pci_driver(acme_driver);

        """;

    private sealed class Repo() : ScratchGitRepo("patchbot-ghorigin-", "master");
}
