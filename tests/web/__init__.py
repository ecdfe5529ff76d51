"""Web tests: pages through the test client."""
