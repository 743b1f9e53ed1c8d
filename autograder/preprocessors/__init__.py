"""Our own nbgrader steps, one concern per module, used beside nbgrader's."""
