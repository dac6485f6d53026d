namespace PatchBot.Bot.Tests;
