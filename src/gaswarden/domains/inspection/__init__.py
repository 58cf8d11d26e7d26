"""Checklists (统一检查内容和标准), inspection plans and tasks, inspections carried out."""
