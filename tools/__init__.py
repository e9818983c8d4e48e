"""Tools for test machines: the chaos runs and the local RabbitMQ cluster / PostgreSQL pair they start."""
