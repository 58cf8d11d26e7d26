"""Service channels (线上线下双服务通道): requests from the web form, the API and the hotline,
with time targets; and coverage of pipe gas and clean heating per village and town."""
