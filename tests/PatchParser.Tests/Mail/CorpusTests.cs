using Xunit.Abstractions;
using PatchBot.PatchParser.Mail;

namespace PatchBot.PatchParser.Tests.Mail;

public class CorpusTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Corpus.CaseNames())
        {
            data.Add(name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_case_reads_as_one_readable_message(string name)
    {
        var item = MailTestKit.ReadOne(Corpus.CaseBytes(name));
        output.WriteLine($"{name}: {item.Kind} {item.Reason} patches={item.Patches.Count} files={string.Join(",", item.Patches.Select(p => p.Diff.Files.Count))} hunks={string.Join(",", item.Patches.Select(p => p.Diff.HunkCount))} problems={string.Join(" | ", item.AllProblems)}");
        Assert.NotEqual(MailItemKind.Unreadable, item.Kind);
        Assert.NotNull(item.MessageId);
        Assert.NotEmpty(item.Subject);
    }
}
