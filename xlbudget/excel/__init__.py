"""The Python side of the xlbudget Excel add-in: ribbon actions and UDFs, through xlwings."""
