using System.Text.Json;
using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Mail;

namespace PatchBot.PatchParser.Tests.Mail;

public class CorpusLabelTests
{
    [Theory]
    [InlineData("hard:quoted-reply", MailItemKind.Reply)]
    [InlineData("hard:cover-letter", MailItemKind.CoverLetter)]
    [InlineData("hard:pull-request", MailItemKind.PullRequest)]
    public void Labelled_non_patches_yield_no_patch(string tag, MailItemKind kind)
    {
        var names = Corpus.Tags().Where(t => t.Value.Contains(tag)).Select(t => t.Key).ToList();
        Assert.NotEmpty(names);
        foreach (var name in names)
        {
            var item = MailTestKit.ReadOne(Corpus.CaseBytes(name));
            Assert.True(kind == item.Kind, $"{name}: {item.Kind} ({item.Reason})");
            Assert.Empty(item.Patches);
            Assert.NotNull(item.Reason);
        }
    }

    [Fact]
    public void Every_other_case_yields_exactly_one_patch()
    {
        var noPatch = new[] { "hard:quoted-reply", "hard:cover-letter", "hard:pull-request" };
        foreach (var (name, tags) in Corpus.Tags())
        {
            if (tags.Any(noPatch.Contains))
            {
                continue;
            }
            var item = MailTestKit.ReadOne(Corpus.CaseBytes(name));
            Assert.True(item.Kind == MailItemKind.Patch, $"{name}: {item.Kind} ({item.Reason})");
            var patch = Assert.Single(item.Patches);
            Assert.Empty(patch.Diff.Problems);
            if (patch.AttachmentName is null)
            {
                // an inline patch carries its commit message; the one attachment case is a bare diff
                Assert.Contains(patch.Trailers, t => t.Key == "Signed-off-by");
            }
        }
    }

    // Files and hunks counted by hand in each .eml (diff --git / "--- a/" and @@ lines; decoded first for QP and base64).
    [Theory]
    [InlineData("amd-iommu-multi-alias-v2", 2, 10, "drivers/iommu/amd_iommu.c")]
    [InlineData("amdgpu-static-sysfs-attrs", 4, 15, "drivers/gpu/drm/amd/amdgpu/amdgpu_atombios.c")]
    [InlineData("aspeed-bridge-no-aliases", 3, 3, "drivers/pci/quirks.c")]
    [InlineData("glenfly-func0-v2", 3, 3, "drivers/pci/quirks.c")]
    [InlineData("heci-func7-v2", 1, 1, "drivers/pci/quirks.c")]
    [InlineData("heci-func7-v2-m-mei-probe-helper", 1, 2, "drivers/misc/mei/pci-me.c")]
    [InlineData("nr-devfns-autosel-5.5", 4, 11, "drivers/iommu/amd_iommu.c")]
    [InlineData("pci-config-static-attr", 1, 6, "drivers/pci/pci-sysfs.c")]
    [InlineData("plx-ntb-v2-qp", 3, 4, "drivers/pci/pci.c")]
    [InlineData("plx-ntb-v6-2of3-nr-devfns", 3, 9, "drivers/pci/pci.c")]
    [InlineData("qcom-pcie-error-sysfs", 2, 10, "drivers/pci/controller/dwc/pcie-designware.h")]
    [InlineData("vmd-real-dma-dev-v5", 4, 5, "arch/x86/pci/common.c")]
    [InlineData("marvell-88se9125-v3-m-crlf", 1, 1, "drivers/pci/quirks.c")]
    [InlineData("qca6174-quirk-attachment", 1, 1, "drivers/pci/quirks.c")]
    [InlineData("xdata-v11-m-device-add-groups", 3, 3, "drivers/misc/Kconfig")]
    public void Hand_counted_files_and_hunks(string name, int files, int hunks, string firstFile)
    {
        var item = MailTestKit.ReadOne(Corpus.CaseBytes(name));
        var patch = Assert.Single(item.Patches);
        Assert.Equal(files, patch.Diff.Files.Count);
        Assert.Equal(hunks, patch.Diff.HunkCount);
        Assert.Equal(firstFile, patch.Diff.Files[0].Path);
        Assert.Empty(patch.Diff.Problems);
    }

    /// <summary>labels.json: every expected finding's line is an added line of the patch (checked by the corpus
    /// authors after decoding), so decoding (QP, base64, CRLF) must land on it.</summary>
    [Fact]
    public void Every_labelled_finding_line_is_an_added_line()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Corpus.CasesDir, "labels.json")));
        int checkedCount = 0;
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            var name = entry.GetProperty("case").GetString()!;
            var expects = entry.GetProperty("expect").EnumerateArray().ToList();
            if (expects.Count == 0)
            {
                continue;
            }
            var item = MailTestKit.ReadOne(Corpus.CaseBytes(name));
            var files = item.Patches.SelectMany(p => p.Diff.Files).ToList();
            foreach (var expect in expects)
            {
                var path = expect.GetProperty("file").GetString();
                int line = expect.GetProperty("line").GetInt32();
                var added = files.Where(f => f.Path == path).SelectMany(f => f.Hunks).SelectMany(h => h.Lines)
                    .Where(l => l.Kind == DiffLineKind.Added && l.NewLine == line).ToList();
                Assert.True(added.Count == 1, $"{name}: no added line {path}:{line}");
                checkedCount++;
            }
        }
        Assert.True(checkedCount >= 15);
    }
}
