"""The weekly briefing: the week's top papers, its themes and a chart of papers per topic."""
