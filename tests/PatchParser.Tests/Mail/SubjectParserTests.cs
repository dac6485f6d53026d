using PatchBot.PatchParser.Mail;

namespace PatchBot.PatchParser.Tests.Mail;

public class SubjectParserTests
{
    [Fact]
    public void Bare_patch_tag()
    {
        var s = SubjectParser.Parse("[PATCH] PCI: Add function 0 DMA alias quirk for Glenfly arise chip");
        Assert.False(s.IsReply);
        Assert.Equal(["PATCH"], s.Tags);
        Assert.Equal(1, s.Version);
        Assert.Null(s.Index);
        Assert.Null(s.Total);
        Assert.Equal(["PCI"], s.Prefixes);
        Assert.Equal("Add function 0 DMA alias quirk for Glenfly arise chip", s.Title);
        Assert.True(s.IsPatch);
    }

    [Fact]
    public void Version_and_index()
    {
        var s = SubjectParser.Parse("[PATCH v3 2/7] PCI: dwc: Fix link training");
        Assert.Equal(3, s.Version);
        Assert.Equal(2, s.Index);
        Assert.Equal(7, s.Total);
        Assert.Equal(["PCI", "dwc"], s.Prefixes);
        Assert.Equal("Fix link training", s.Title);
        Assert.Equal("2/7", s.Part);
    }

    [Fact]
    public void Rfc_with_tree_and_zero_padded_index()
    {
        var s = SubjectParser.Parse("[RFC PATCH net-next v2 05/10] net: phy: Add thing");
        Assert.Equal(["RFC", "PATCH", "net-next"], s.Tags);
        Assert.Equal(2, s.Version);
        Assert.Equal(5, s.Index);
        Assert.Equal(10, s.Total);
        Assert.Equal(["net", "phy"], s.Prefixes);
    }

    [Fact]
    public void Resend()
    {
        var s = SubjectParser.Parse("[PATCH RESEND] PCI: Add function 1 DMA alias quirk for Marvell 88SE9235");
        Assert.Equal(["PATCH", "RESEND"], s.Tags);
        Assert.True(s.HasTag("resend"));
        Assert.Equal(1, s.Version);
    }

    [Fact]
    public void Autosel_with_stable_version()
    {
        var s = SubjectParser.Parse("[PATCH AUTOSEL 5.5 253/542] PCI: Add nr_devfns parameter to pci_add_dma_alias()");
        Assert.Equal(["PATCH", "AUTOSEL", "5.5"], s.Tags);
        Assert.Equal(253, s.Index);
        Assert.Equal(542, s.Total);
        Assert.Equal(1, s.Version);
        Assert.Equal("Add nr_devfns parameter to pci_add_dma_alias()", s.Title);
    }

    [Fact]
    public void Version_and_index_separated_by_comma()
    {
        var s = SubjectParser.Parse("[PATCH v6,19/24] mm: foo");
        Assert.Equal(6, s.Version);
        Assert.Equal(19, s.Index);
        Assert.Equal(24, s.Total);
        Assert.Equal(["PATCH"], s.Tags);
    }

    [Theory]
    [InlineData("[PATCH1/8] foo", 1, 1, 8)]
    [InlineData("[PATCHv3] foo", 3, null, null)]
    [InlineData("[PATCHv2 3/4] foo", 2, 3, 4)]
    [InlineData("[PATCH V4 0/3] foo", 4, 0, 3)]
    [InlineData("[RFCv2 1/2] foo", 2, 1, 2)]
    [InlineData("[PATCH v2.1 1/2] foo", 2, 1, 2)]
    public void Glued_forms(string subject, int version, int? index, int? total)
    {
        var s = SubjectParser.Parse(subject);
        Assert.Equal(version, s.Version);
        Assert.Equal(index, s.Index);
        Assert.Equal(total, s.Total);
        Assert.True(s.IsPatch);
        Assert.Equal("foo", s.Title);
    }

    [Theory]
    [InlineData("Re: [PATCH] foo")]
    [InlineData("RE: [PATCH] foo")]
    [InlineData("Re: Re: [PATCH] foo")]
    [InlineData("Fwd: [PATCH] foo")]
    [InlineData("Fw: [PATCH] foo")]
    [InlineData("AW: [PATCH] foo")]
    [InlineData("Re[2]: [PATCH] foo")]
    [InlineData("[PATCH] Re: foo")]
    public void Reply_prefixes(string subject)
    {
        var s = SubjectParser.Parse(subject);
        Assert.True(s.IsReply);
        Assert.Equal("foo", s.Title);
        Assert.True(s.HasTag("PATCH"));
    }

    [Fact]
    public void Reply_to_a_series_part_keeps_its_numbers()
    {
        var s = SubjectParser.Parse("Re: [RESEND PATCH v3 1/5] misc: Add Synopsys DesignWare xData IP driver");
        Assert.True(s.IsReply);
        Assert.Equal(3, s.Version);
        Assert.Equal(1, s.Index);
        Assert.Equal(5, s.Total);
        Assert.Equal(["RESEND", "PATCH"], s.Tags);
        Assert.Equal(["misc"], s.Prefixes);
    }

    [Fact]
    public void Cover_letter()
    {
        var s = SubjectParser.Parse("[PATCH 00/12]  Switchtec Fixes and Gen4 Support");
        Assert.True(s.IsCoverLetter);
        Assert.Equal(0, s.Index);
        Assert.Equal(12, s.Total);
        Assert.Equal("Switchtec Fixes and Gen4 Support", s.Title);
    }

    [Theory]
    [InlineData("[GIT PULL] PCI changes for v5.11", "GIT PULL")]
    [InlineData("[PULL] drm-misc-next", "PULL")]
    [InlineData("[PULL REQUEST] foo", "PULL REQUEST")]
    public void Pull_requests(string subject, string tag)
    {
        var s = SubjectParser.Parse(subject);
        Assert.True(s.IsPullRequest);
        Assert.Contains(tag, s.Tags);
        Assert.False(s.IsPatch);
    }

    [Fact]
    public void Several_bracket_groups()
    {
        var s = SubjectParser.Parse("[linux-pci] [PATCH v2 1/3] [RFC] PCI/AER: iommu/amd: Do things");
        Assert.Equal(["linux-pci", "PATCH", "RFC"], s.Tags);
        Assert.Equal(2, s.Version);
        Assert.Equal(1, s.Index);
        Assert.Equal(["PCI/AER", "iommu/amd"], s.Prefixes);
        Assert.Equal("Do things", s.Title);
    }

    [Fact]
    public void No_brackets()
    {
        var s = SubjectParser.Parse("QCA6174 pcie wifi: Add pci quirks");
        Assert.Empty(s.Tags);
        Assert.False(s.IsPatch);
        Assert.Empty(s.Prefixes);
        Assert.Equal("QCA6174 pcie wifi: Add pci quirks", s.Title);
    }

    [Fact]
    public void Minus_next_tag_and_lowercase_prefix()
    {
        var s = SubjectParser.Parse("[PATCH -next] pci: fix a -Wtype-limits compilation warning");
        Assert.Equal(["PATCH", "-next"], s.Tags);
        Assert.Equal(["pci"], s.Prefixes);
        Assert.Equal("fix a -Wtype-limits compilation warning", s.Title);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("[")]
    [InlineData("[[[[]]]")]
    [InlineData("[PATCH 99999999999999/3] x")]
    [InlineData("[PATCH 5/3] x")]
    [InlineData("Re:")]
    [InlineData(": : :")]
    [InlineData("[PATCH v] x")]
    [InlineData("\0\u00ff\ud800 garbage [ v1/ ]")]
    public void Garbage_does_not_throw(string? subject)
    {
        var s = SubjectParser.Parse(subject);
        Assert.NotNull(s.Title);
        Assert.True(s.Version >= 1);
        Assert.True(s.Index is null || s.Index <= s.Total);
    }

    [Fact]
    public void Unclosed_bracket_stays_in_title()
    {
        var s = SubjectParser.Parse("[PATCH v2 foo");
        Assert.Empty(s.Tags);
        Assert.Equal("[PATCH v2 foo", s.Title);
    }

    [Fact]
    public void Revert_and_quoted_titles_keep_their_words()
    {
        var s = SubjectParser.Parse("[PATCH] Revert \"PCI: Add quirk\"");
        Assert.Empty(s.Prefixes);
        Assert.Equal("Revert \"PCI: Add quirk\"", s.Title);
    }
}
