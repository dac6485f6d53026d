namespace PatchBot.Rules;
