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

' Explanation (chucuo shuoming) for the selected cell. The text is asked here, since Python cannot show an input box
' through every xlwings engine, and sent as hex UTF-16 code units: RunPython passes its command
' through a command line, where only ASCII is safe. Cancel does nothing; an empty text removes
' the cell's explanations.
Public Sub XlbExplain(Optional control As Object)
    Dim text As Variant
    text = Application.InputBox(Zh("4E3A6240900953555143683C768495EE9898519951FA95198BF4660EFF1A8BF4660E8FD94E2A65704E3A4EC04E48662F5BF97684FF084EC59650201C53EF8BF4660E201D7C7B95EE9898FF093002") _
        & vbLf & Zh("8BF4660E75597A7A5E7670B9201C786E5B9A201DFF1A522096648BE553555143683C5DF26709768451FA95198BF4660E3002"), _
        Zh("51FA95198BF4660E"), Type:=2)
    If VarType(text) = vbBoolean Then Exit Sub
    RunPython "import xlbudget.excel.actions as a; a.explain('" & Hex16(CStr(text)) & "')"
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

' Text as UTF-16 code units, four hex digits each (decoded by actions.decode_text).
Private Function Hex16(ByVal text As String) As String
    Dim i As Long
    For i = 1 To Len(text)
        Hex16 = Hex16 & Right$("000" & Hex$(AscW(Mid$(text, i, 1)) And &HFFFF&), 4)
    Next i
End Function

' Chinese text from UTF-16 code units in hex: VBA source is not Unicode.
Private Function Zh(ByVal codes As String) As String
    Dim i As Long
    For i = 1 To Len(codes) Step 4
        Zh = Zh & ChrW$(CLng("&H" & Mid$(codes, i, 4) & "&"))
    Next i
End Function
