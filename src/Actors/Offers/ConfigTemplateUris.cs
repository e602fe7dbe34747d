using System.Globalization;
using System.Text;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// How a task's <c>configs:</c> reach its sandbox, as the DC/OS SDK's <c>PodInfoBuilder</c> arranges it: the Mesos fetcher
/// downloads each template from the scheduler API (<c>/v1/artifacts/template/…</c>) to <c>config-templates/&lt;name&gt;</c>,
/// and <c>CONFIG_TEMPLATE_&lt;NAME&gt;=&lt;that path&gt;,&lt;dest&gt;</c> tells the task's <c>bootstrap</c> what to render where.
/// </summary>
public static class ConfigTemplateUris
{
    /// <summary>The sandbox directory the templates are downloaded to (DC/OS <c>CONFIG_TEMPLATE_DOWNLOAD_PATH</c>).</summary>
    public const string DownloadDirectory = "config-templates";

    /// <summary>The prefix of the variables that name a template and its destination.</summary>
    public const string VariablePrefix = "CONFIG_TEMPLATE_";

    /// <summary>Where the fetcher puts the template of config <paramref name="name"/>, relative to the sandbox.</summary>
    public static string DownloadPath(string name) => DownloadDirectory + "/" + name;

    /// <summary>
    /// The variable of config <paramref name="name"/>: <c>CONFIG_TEMPLATE_</c> and the name upper-cased with every
    /// character but ASCII letters, digits and <c>_</c> turned into <c>_</c> (DC/OS <c>EnvUtils.toEnvName</c>:
    /// <c>server.properties</c> → <c>CONFIG_TEMPLATE_SERVER_PROPERTIES</c>).
    /// </summary>
    public static string VariableName(string name)
    {
        var text = new StringBuilder(VariablePrefix.Length + name.Length).Append(VariablePrefix);
        foreach (var c in name.ToUpperInvariant())
        {
            text.Append(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_' ? c : '_');
        }

        return text.ToString();
    }

    /// <summary>The variable's value: <c>&lt;download path&gt;,&lt;dest&gt;</c>.</summary>
    public static string VariableValue(ConfigTemplateSpec config) => DownloadPath(config.Name) + "," + config.Destination;

    /// <summary>
    /// The URL the scheduler API serves the template at for one config version:
    /// <c>http://&lt;host&gt;:&lt;port&gt;/v1/artifacts/template/&lt;configId&gt;/&lt;pod&gt;/&lt;task&gt;/&lt;config&gt;</c>.
    /// </summary>
    public static string Url(Uri api, string configId, string podType, string task, string config) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{api.Scheme}://{api.Authority}/v1/artifacts/template/{System.Uri.EscapeDataString(configId)}/{System.Uri.EscapeDataString(podType)}/{System.Uri.EscapeDataString(task)}/{System.Uri.EscapeDataString(config)}");

    /// <summary>The fetcher URI of one config template: not extracted, not executable, saved under <see cref="DownloadPath"/>.</summary>
    public static CommandInfo.Types.URI FetchUri(Uri api, string configId, string podType, string task, ConfigTemplateSpec config) => new()
    {
        Value = Url(api, configId, podType, task, config.Name),
        OutputFile = DownloadPath(config.Name),
        Extract = false,
    };
}
