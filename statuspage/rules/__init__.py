"""Pure checks on an update before it is published: no Flask, no database."""
