"""marshmallow schemas: one module per model, each naming what its audience sees."""
