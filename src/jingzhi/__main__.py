from jingzhi.cli import main

raise SystemExit(main())
