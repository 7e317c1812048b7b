"""Grid interconnection studies: pandapower networks at the campus point of interconnection."""
