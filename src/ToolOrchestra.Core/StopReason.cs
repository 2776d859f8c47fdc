namespace ToolOrchestra.Core;

/// <summary>Why an episode ended. Serialized snake_case (<c>budget_usd</c>, <c>no_valid_call</c>).</summary>
public enum StopReason
{
    Answered,
    MaxTurns,
    BudgetUsd,
    BudgetSeconds,
    NoValidCall,
    EndpointError,
    Cancelled,
    /// <summary>Something failed that is neither the endpoint nor the user's input; the detail says what. The run is kept.</summary>
    Error,
}
