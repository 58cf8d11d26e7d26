"""Emergency response (应急处置): plans, resources, incidents with dispatch, drills."""
