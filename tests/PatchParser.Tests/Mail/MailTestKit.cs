using System.Text;
using PatchBot.PatchParser.Mail;

namespace PatchBot.PatchParser.Tests.Mail;

internal static class MailTestKit
{
    public static List<MailItem> ReadAll(byte[] bytes, string source = "test", MailOptions? options = null)
    {
        using var stream = new MemoryStream(bytes);
        return MailReader.Read(stream, source, options).ToList();
    }

    public static List<MailItem> ReadAll(string text, string source = "test", MailOptions? options = null) =>
        ReadAll(Encoding.UTF8.GetBytes(text), source, options);

    public static MailItem ReadOne(string text, MailOptions? options = null) => Assert.Single(ReadAll(text, options: options));

    public static MailItem ReadOne(byte[] bytes, MailOptions? options = null) => Assert.Single(ReadAll(bytes, options: options));

    /// <summary>A small git diff with one file and one hunk adding a quirk line.</summary>
    public const string QuirkDiff =
        "diff --git a/drivers/pci/quirks.c b/drivers/pci/quirks.c\n" +
        "index 1111111..2222222 100644\n" +
        "--- a/drivers/pci/quirks.c\n" +
        "+++ b/drivers/pci/quirks.c\n" +
        "@@ -10,3 +10,4 @@ static void quirk_foo(struct pci_dev *dev)\n" +
        " \tint a;\n" +
        "+\tpci_add_dma_alias(dev, PCI_DEVFN(0, 1), 1);\n" +
        " \tint b;\n" +
        " }\n";

    public const string Body =
        "Some devices use function 1 as requester ID.\n\n" +
        "Signed-off-by: Jane Dev <jane@example.org>\n" +
        "---\n" +
        " drivers/pci/quirks.c | 1 +\n" +
        " 1 file changed, 1 insertion(+)\n\n" +
        QuirkDiff +
        "-- \n2.43.0\n";

    public static string Message(string subject, string body, string extraHeaders = "", string contentType = "text/plain; charset=utf-8") =>
        "From: Jane Dev <jane@example.org>\n" +
        "To: linux-pci@vger.kernel.org\n" +
        $"Subject: {subject}\n" +
        "Date: Mon, 21 Nov 2022 17:40:37 +0100\n" +
        "Message-ID: <1@example.org>\n" +
        extraHeaders +
        "MIME-Version: 1.0\n" +
        $"Content-Type: {contentType}\n" +
        "\n" + body;
}
