namespace PatchBot.Rules.Tests;
