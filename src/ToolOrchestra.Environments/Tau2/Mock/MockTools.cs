using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Db;
using ToolOrchestra.Environments.Tau2.Json;
using P = ToolOrchestra.Environments.Tau2.ToolParameter;

namespace ToolOrchestra.Environments.Tau2.Mock;

/// <summary>The mock domain's agent tools (upstream MockTools): users and their tasks.</summary>
public sealed class MockTools(Database db) : Toolkit("MockTools", db, Catalog)
{
    private static readonly IReadOnlyList<ToolFunction> Catalog = new ToolCatalog<MockTools>()
        .Tool("create_task", ToolType.Write, "Create a new task for a user.", (t, a) => t.CreateTask(a),
            P.Str("user_id", "The ID of the user creating the task"),
            P.Str("title", "The title of the task"),
            P.Str("description", "Optional description of the task").Optional(null))
        .Tool("get_users", ToolType.Read, "Get all users in the database.", (t, _) => t.GetUsers())
        .Tool("update_task_status", ToolType.Write, "Update the status of a task.", (t, a) => t.UpdateTaskStatus(a),
            P.Str("task_id", "The ID of the task to update"),
            P.Enum("status", "The new status of the task", "pending", "completed"))
        .Helper("assert_number_of_tasks", (t, a) => t.AssertNumberOfTasks(a), P.Str("user_id", null), P.Int("expected_number", null))
        .Helper("assert_task_status", (t, a) => t.AssertTaskStatus(a), P.Str("task_id", null), P.Str("expected_status", null))
        .Tool("transfer_to_human_agents", ToolType.Generic, Descriptions.TransferToHumanAgents, (_, _) => "Transfer successful",
            P.Str("summary", "A summary of the user's issue."))
        .Build();

    private Database Data => Db!;

    private JsonNode CreateTask(ToolArgs a)
    {
        var userId = a.Str("user_id");
        if (userId is null || !Data.Contains("users", userId)) throw new ToolError($"User {a.Text("user_id")} not found");
        var taskId = $"task_{Data.Count("tasks") + 1}";
        var task = ShapeValidator.Construct(MockSchema.Task, new JsonObject
        {
            ["task_id"] = taskId,
            ["title"] = Py.Clone(a["title"]),
            ["description"] = Py.Clone(a["description"]),
            ["status"] = "pending",
        });
        Data.Set("tasks", taskId, task);
        ((JsonArray)Data.Edit("users", userId)["tasks"]!).Add(taskId);
        return Py.Clone(task)!;
    }

    private JsonNode GetUsers() => new JsonArray(Data.Records("users").Select(r => Py.Clone(r.Record)).ToArray());

    private JsonNode UpdateTaskStatus(ToolArgs a)
    {
        var taskId = a.Str("task_id");
        if (taskId is null || !Data.Contains("tasks", taskId)) throw new ToolError($"Task {a.Text("task_id")} not found");
        var task = Data.Edit("tasks", taskId);
        task["status"] = Py.Clone(a["status"]); // plain attribute assignment: not validated upstream
        return Py.Clone(task)!;
    }

    private bool AssertNumberOfTasks(ToolArgs a)
    {
        var userId = a.Str("user_id");
        if (userId is null || !Data.Contains("users", userId)) throw new ToolError($"User {a.Text("user_id")} not found");
        var count = ((JsonArray)Data.Get("users", userId)!["tasks"]!).Count;
        return Py.Equal(Py.Int(count), a["expected_number"]);
    }

    private bool AssertTaskStatus(ToolArgs a)
    {
        var taskId = a.Str("task_id");
        if (taskId is null || !Data.Contains("tasks", taskId)) throw new ToolError($"Task {a.Text("task_id")} not found");
        return Py.Equal(Data.Get("tasks", taskId)!["status"], a["expected_status"]);
    }
}

/// <summary>The mock domain's user tools (upstream MockUserTools): a notification inbox.</summary>
public sealed class MockUserTools(Database db) : Toolkit("MockUserTools", db, Catalog)
{
    private static readonly IReadOnlyList<ToolFunction> Catalog = new ToolCatalog<MockUserTools>()
        .Tool("check_notifications", ToolType.Read, "Check all notifications in the user's inbox.", (t, _) => t.CheckNotifications())
        .Tool("dismiss_notification", ToolType.Write, "Dismiss (mark as read) a notification.", (t, a) => t.DismissNotification(a),
            P.Str("notification_id", "The ID of the notification to dismiss."))
        .Helper("add_notification", (t, a) => t.AddNotification(a),
            P.Str("notification_id", null), P.Str("message", null), P.Str("task_id", null).Optional(null))
        .Helper("assert_notification_status", (t, a) => t.AssertNotificationStatus(a), P.Str("notification_id", null), P.Str("expected_status", null))
        .Build();

    private Database Data => Db!;

    private JsonNode CheckNotifications() => new JsonArray(Data.Records("notifications").Select(r => Py.Clone(r.Record)).ToArray());

    private string DismissNotification(ToolArgs a)
    {
        var id = a.Str("notification_id");
        if (id is null || !Data.Contains("notifications", id)) throw new ToolError($"Notification {a.Text("notification_id")} not found");
        Data.Edit("notifications", id)["status"] = "read";
        return $"Notification {id} dismissed";
    }

    private JsonNode AddNotification(ToolArgs a)
    {
        var notification = ShapeValidator.Construct(MockSchema.Notification, new JsonObject
        {
            ["notification_id"] = Py.Clone(a["notification_id"]),
            ["message"] = Py.Clone(a["message"]),
            ["task_id"] = Py.Clone(a["task_id"]),
        });
        Data.Set("notifications", a.Text("notification_id"), notification);
        return Py.Clone(notification)!;
    }

    private bool AssertNotificationStatus(ToolArgs a)
    {
        var id = a.Str("notification_id");
        if (id is null || !Data.Contains("notifications", id)) throw new ToolError($"Notification {a.Text("notification_id")} not found");
        return Py.Equal(Data.Get("notifications", id)!["status"], a["expected_status"]);
    }
}
