from mobility.cli import main

raise SystemExit(main())
