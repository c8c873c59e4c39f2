Attribute VB_Name = "xlbudget_ribbon"
' The buttons of the xlbudget add-in (ribbon tab and demo sheet): each runs one action of
' xlbudget.excel.actions on the active workbook through xlwings' RunPython.
' "control" is optional so that a shape on a sheet can call the same Sub as the ribbon.
Option Explicit

Public Sub XlbCheck(Optional control As Object)
    RunPython "import xlbudget.excel.actions as a; a.check()"
End Sub

Public Sub XlbMark(Optional control As Object)
    RunPython "import xlbudget.excel.actions as a; a.mark()"
End Sub

Public Sub XlbFix(Optional control As Object)
    RunPython "import xlbudget.excel.actions as a; a.fix()"
End Sub

Public Sub XlbCharts(Optional control As Object)
    RunPython "import xlbudget.excel.actions as a; a.charts()"
End Sub

Public Sub XlbClear(Optional control As Object)
    RunPython "import xlbudget.excel.actions as a; a.clear()"
End Sub

Public Sub XlbHelp(Optional control As Object)
    RunPython "import xlbudget.excel.actions as a; a.help()"
End Sub
