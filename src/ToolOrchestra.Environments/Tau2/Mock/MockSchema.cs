using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2.Mock;

/// <summary>The mock domain's data models (upstream domains/mock/data_model.py and user_data_model.py).</summary>
public static class MockSchema
{
    public static readonly Model Task = new("Task",
    [
        Field.Required("task_id", Shape.Str),
        Field.Required("title", Shape.Str),
        Field.NullDefault("description", Shape.Str),
        Field.Required("status", Shape.Literal("pending", "completed")),
    ]);

    public static readonly Model User = new("User",
    [
        Field.Required("user_id", Shape.Str),
        Field.Required("name", Shape.Str),
        Field.Required("tasks", Shape.ListOf(Shape.Str)),
    ]);

    public static readonly Model Db = new("MockDB",
    [
        Field.Required("tasks", Shape.DictOf(Task)),
        Field.Required("users", Shape.DictOf(User)),
    ]);

    public static readonly Model Notification = new("Notification",
    [
        Field.Required("notification_id", Shape.Str),
        Field.Required("message", Shape.Str),
        Field.WithDefault("status", Shape.Literal("unread", "read"), () => "unread"),
        Field.NullDefault("task_id", Shape.Str),
    ], ForbidExtra: true);

    public static readonly Model UserDb = new("MockUserDB",
    [
        Field.WithDefault("notifications", Shape.DictOf(Notification), () => new System.Text.Json.Nodes.JsonObject()),
    ]);
}
