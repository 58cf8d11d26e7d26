from gaswarden.core.enums import LabeledEnum


class RequestKind(LabeledEnum):
    LEAK_REPORT = "leak_report", "漏气报告", "Leak report", "red"
    REPAIR = "repair", "故障报修", "Repair", "orange"
    NEW_CONNECTION = "new_connection", "用气报装", "New connection", "blue"
    COMPLAINT = "complaint", "投诉", "Complaint", "purple"
    ENQUIRY = "enquiry", "咨询", "Enquiry", "teal"


class RequestChannel(LabeledEnum):
    WEB = "web", "网上服务(网页)", "Web form", "blue"
    API = "api", "移动端/接口", "App / API", "indigo"
    HOTLINE = "hotline", "服务热线", "Hotline", "orange"
    COUNTER = "counter", "营业厅", "Service counter", "teal"


class RequestPriority(LabeledEnum):
    URGENT = "urgent", "紧急", "Urgent", "red"
    NORMAL = "normal", "一般", "Normal", "blue"


class RequestStatus(LabeledEnum):
    OPEN = "open", "已受理", "Open", "red"
    ASSIGNED = "assigned", "已派单", "Assigned", "orange"
    IN_PROGRESS = "in_progress", "处理中", "In progress", "amber"
    RESOLVED = "resolved", "已办结", "Resolved", "teal"
    CLOSED = "closed", "已回访归档", "Closed", "grey"

    @property
    def is_open(self) -> bool:
        return self not in (RequestStatus.RESOLVED, RequestStatus.CLOSED)


class RequestEventKind(LabeledEnum):
    CREATED = "created", "受理", "Received", "red"
    ASSIGNED = "assigned", "派单", "Assigned", "orange"
    RESPONDED = "responded", "响应/到场", "Responded", "amber"
    ESCALATED = "escalated", "转应急事件", "Escalated to an incident", "red"
    RESOLVED = "resolved", "办结", "Resolved", "teal"
    OVERDUE = "overdue", "超时", "Target missed", "red"
    VISITED = "visited", "回访", "Return visit", "purple"
    CLOSED = "closed", "归档", "Closed", "grey"
    NOTE = "note", "备注", "Note", "grey"
