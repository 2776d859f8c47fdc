using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2.Airline;

/// <summary>The airline domain's registration: policy.md, db.json, the agent's airline tools.</summary>
public static class AirlineDomain
{
    public static readonly Tau2DomainDefinition Definition = new("airline", f =>
        f.Domain(f.Read("policy.md"), f.Json("db.json", AirlineSchema.Db), null,
            d => new Tau2Environment("airline", d.Policy, new AirlineTools(new Database(d.AgentDb)), null)));
}
