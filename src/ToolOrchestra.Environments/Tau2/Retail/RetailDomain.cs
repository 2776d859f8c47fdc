using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2.Retail;

/// <summary>The retail domain's registration: policy.md, db.json, the agent's retail tools.</summary>
public static class RetailDomain
{
    public static readonly Tau2DomainDefinition Definition = new("retail", f =>
        f.Domain(f.Read("policy.md"), f.Json("db.json", RetailSchema.Db), null,
            d => new Tau2Environment("retail", d.Policy, new RetailTools(new Database(d.AgentDb)), null)));
}
