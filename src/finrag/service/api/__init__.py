"""The HTTP edge: dependencies, error mapping and one router module per resource."""
