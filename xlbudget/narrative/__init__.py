"""Check the narrative (部门决算情况说明, a Word document) against the workbook's tables."""
