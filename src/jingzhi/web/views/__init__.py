"""Pages of the workbench and the public site. Views parse input and call one service or selector."""
