using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2.Mock;

/// <summary>The mock domain's registration: policy.md, db.json and user_db.json, agent and user tools.</summary>
public static class MockDomain
{
    public static readonly Tau2DomainDefinition Definition = new("mock", f =>
        f.Domain(f.Read("policy.md"), f.Json("db.json", MockSchema.Db), f.Json("user_db.json", MockSchema.UserDb),
            d => new Tau2Environment("mock", d.Policy, new MockTools(new Database(d.AgentDb)), new MockUserTools(new Database(d.UserDb!)))));
}
