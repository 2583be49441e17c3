"""The API's resources, one blueprint (and OpenAPI tag) per family."""
