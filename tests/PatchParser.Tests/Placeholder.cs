namespace PatchBot.PatchParser.Tests;
