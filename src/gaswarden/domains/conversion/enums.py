from gaswarden.core.enums import LabeledEnum


class ApplicationChannel(LabeledEnum):
    ONLINE = "online", "线上申请", "Online form", "blue"
    COUNTER = "counter", "营业厅受理", "Service counter", "teal"
    VISIT = "visit", "入户走访", "Door-to-door visit", "purple"


class HouseholdKind(LabeledEnum):
    RESIDENTIAL = "residential", "居民户", "Residential", "green"
    CATERING = "catering", "餐饮", "Catering", "pink"
    COMMERCIAL = "commercial", "其他商业", "Other commercial", "purple"


class ConversionStatus(LabeledEnum):
    """Application -> survey -> quote -> contract -> works -> connected; or refused/cancelled."""

    APPLIED = "applied", "已申请", "Applied", "amber"
    SURVEYED = "surveyed", "已勘察", "Surveyed", "blue"
    QUOTED = "quoted", "已报价", "Quoted", "indigo"
    CONTRACTED = "contracted", "已签约", "Contracted", "purple"
    CONSTRUCTING = "constructing", "施工中", "Under construction", "orange"
    CONNECTED = "connected", "已通气", "Connected", "green"
    REFUSED = "refused", "不符合条件", "Refused", "red"
    CANCELLED = "cancelled", "已撤销", "Cancelled", "grey"

    @property
    def in_progress(self) -> bool:
        return self not in (
            ConversionStatus.CONNECTED,
            ConversionStatus.REFUSED,
            ConversionStatus.CANCELLED,
        )


class RefusalReason(LabeledEnum):
    TOO_FAR_FROM_MAIN = "too_far_from_main", "距市政管网过远", "Too far from a main", "red"
    NO_PIPE_IN_AREA = "no_pipe_in_area", "所在区域尚无管网规划", "No network planned here", "red"
    BUILDING_UNSAFE = "building_unsafe", "建筑不具备安装条件", "Building unsuitable", "orange"
    NO_OWNER_CONSENT = "no_owner_consent", "产权人不同意", "Owner does not consent", "amber"
    BASEMENT_USE = "basement_use", "用气场所位于地下室", "Gas use below ground", "red"
    DUPLICATE = "duplicate", "重复申请", "Duplicate application", "grey"
    OTHER = "other", "其他", "Other", "grey"


class ConversionEventKind(LabeledEnum):
    APPLIED = "applied", "提交申请", "Applied", "amber"
    SURVEYED = "surveyed", "现场勘察", "Surveyed", "blue"
    QUOTED = "quoted", "出具报价", "Quoted", "indigo"
    CONTRACTED = "contracted", "签订合同", "Contracted", "purple"
    WORKS_STARTED = "works_started", "开工", "Works started", "orange"
    CONNECTED = "connected", "通气点火", "Connected", "green"
    LPG_CLOSED = "lpg_closed", "液化气户销户", "LPG account closed", "teal"
    REFUSED = "refused", "不予受理", "Refused", "red"
    CANCELLED = "cancelled", "撤销", "Cancelled", "grey"
    NOTE = "note", "备注", "Note", "grey"


class QuotaCategory(LabeledEnum):
    """What a quota item prices, so that the standard plan of a household (rules.py) can pick
    its lines from whatever table is active. Stored as the value in `QuotaItem.category`."""

    SERVICE_PIPE = "service_pipe", "引入管(庭院管)", "Service pipe", "blue"
    RISER = "riser", "立管", "Riser", "indigo"
    METER = "meter", "燃气表安装", "Meter installation", "teal"
    VALVE = "valve", "阀门", "Valve", "purple"
    OTHER = "other", "其他", "Other", "grey"
