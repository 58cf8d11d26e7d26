"""The regulator's cockpit (驾驶舱): today's figures, the map's layers, the daily safety score
per town and enterprise with its trend, the live feed, and the weekly/monthly district report."""
