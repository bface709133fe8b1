"""Demo content for cso_press: a fictional press service, written for this project.

The office is that of the *Commonwealth Security Organisation* (CSO), a fictional intergovernmental
organisation with its Secretariat in Moscow. Real bodies (UN, OSCE, CIS, SCO, ministries) appear only as
organisations the CSO deals with; every person is invented.

``content`` holds the directory (sections, organisations, people), ``stories`` composes the releases,
``pictures`` draws the photos and documents, and ``services`` writes it all to the database.
"""
