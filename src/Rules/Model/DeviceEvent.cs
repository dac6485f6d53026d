using System.Text.Json;
using System.Text.Json.Serialization;

namespace PatchBot.Rules.Model;

/// <summary>
/// An event in the life of a PCI device ("IommuGroup", "KobjAdd"): an id of an entry of lifecycle.json's
/// "events", which gives its kernel source. Scenarios order the events; the model checks every id at load.
/// </summary>
[JsonConverter(typeof(DeviceEventJsonConverter))]
public readonly record struct DeviceEvent(string Id)
{
    public override string ToString() => Id;
}

/// <summary>
/// What a kernel API call or field write does to the device ("AddsDmaAlias"): an id of an entry of
/// lifecycle.json's "effects", which names the event that reads it. The model checks every id at load.
/// </summary>
[JsonConverter(typeof(KernelEffectJsonConverter))]
public readonly record struct KernelEffect(string Id)
{
    public override string ToString() => Id;
}

/// <summary>Reads and writes a <see cref="DeviceEvent"/> as its id string.</summary>
internal sealed class DeviceEventJsonConverter : JsonConverter<DeviceEvent>
{
    public override DeviceEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(ModelIds.Read(ref reader, "event"));

    public override void Write(Utf8JsonWriter writer, DeviceEvent value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Id);
    }
}

/// <summary>Reads and writes a <see cref="KernelEffect"/> as its id string.</summary>
internal sealed class KernelEffectJsonConverter : JsonConverter<KernelEffect>
{
    public override KernelEffect Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(ModelIds.Read(ref reader, "effect"));

    public override void Write(Utf8JsonWriter writer, KernelEffect value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Id);
    }
}

internal static class ModelIds
{
    /// <summary>A non-empty id string; whether the model defines it is checked by <see cref="LifecycleModel.Validate"/>.</summary>
    public static string Read(ref Utf8JsonReader reader, string what) =>
        reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } id
            ? id
            : throw new JsonException($"an {what} id must be a non-empty string");
}
