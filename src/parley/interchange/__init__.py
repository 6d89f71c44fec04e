"""Reading and writing files users exchange with Parley (YAML, JSON, CSV); errors name file and line."""
