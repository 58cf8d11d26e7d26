from gaswarden.core.enums import LabeledEnum


class Channel(LabeledEnum):
    WEBHOOK = "webhook", "Webhook回调", "Webhook", "indigo"
    EMAIL = "email", "电子邮件", "E-mail", "blue"
    SMS = "sms", "短信", "SMS", "teal"


class Audience(LabeledEnum):
    """Who an alarm notice is for; the values are those of alarm.notify.AUDIENCES."""

    ENTERPRISE = "enterprise", "责任企业值班人员", "Enterprise on duty", "orange"
    ENTERPRISE_ADMIN = "enterprise_admin", "企业管理人员", "Enterprise admins", "red"
    REGULATOR = "regulator", "燃气主管部门", "Regulator", "purple"


class DeliveryStatus(LabeledEnum):
    PENDING = "pending", "待发送", "Pending", "blue"
    SENT = "sent", "已送达", "Sent", "green"
    FAILED = "failed", "发送失败(将重试)", "Failed (will retry)", "amber"
    DEAD = "dead", "放弃发送", "Dead (gave up)", "red"
