using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2.Telecom;

/// <summary>
/// The telecom domain's registration: the main policy and the tech-support manual joined as upstream does, db.toml and
/// user_db.toml, agent tools and the user's device tools.
/// </summary>
public static class TelecomDomain
{
    public static readonly Tau2DomainDefinition Definition = new("telecom", f =>
        f.Domain(
            "<main_policy>\n" + f.Read("main_policy.md") + "\n</main_policy>\n<tech_support_policy>\n" + f.Read("tech_support_manual.md") + "\n</tech_support_policy>",
            f.Toml("db.toml", TelecomSchema.Db), f.Toml("user_db.toml", TelecomSchema.UserDb),
            d => new TelecomEnvironment("telecom", d.Policy, new TelecomTools(new Database(d.AgentDb)), new TelecomUserTools(new Database(d.UserDb!)))));
}
