from gaswarden.core.enums import LabeledEnum


class OrgKind(LabeledEnum):
    REGULATOR = "regulator", "燃气主管部门", "Gas regulator", "red"
    PIPELINE = "pipeline", "管道燃气企业", "Pipeline gas enterprise", "blue"
    LPG = "lpg", "液化石油气企业", "LPG enterprise", "orange"
    LNG_CNG = "lng_cng", "LNG/CNG企业", "LNG/CNG enterprise", "teal"
    AGENCY = "agency", "第三方检查机构", "Inspection agency", "purple"
    ASSOCIATION = "association", "行业协会", "Industry association", "grey"

    @property
    def is_enterprise(self) -> bool:
        return self in (OrgKind.PIPELINE, OrgKind.LPG, OrgKind.LNG_CNG)
