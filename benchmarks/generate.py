"""Synthetic French conference recaps, for benchmarks that grow the corpus (100, 1,000, 10,000 recaps).

Usage:
    python benchmarks/generate.py N OUTDIR [--seed 0] [--truth FILE] [--force]

    from generate import generate        # with benchmarks/ on sys.path
    truth = generate(1000, Path("/tmp/corpus"), seed=0)
    truth.write(Path("/tmp/truth.json"))  # optional: what each file says, to score extraction

Each file recaps one day of one edition of an event series, in French, in one of the layouts confkg
reads in real recaps: markdown with YAML or TOML front matter, or text scraped from a blog page
(title line, "Publié le", table of contents, "Speakers : A & B, Org" lines, category headings,
related-posts footer). Talks are introduced as real authors do: "Par [Nom](lien) (Société)",
"Présentée par **Nom** - ***Rôle*** chez **Société**", "Titre – Nom, Société" headings,
"Nom (Société) nous présente..." prose and "Titre - Nom, Société" list items; tools appear in prose,
links, code spans, shell prompts, and unknown tools from context ("l'outil X", a GitHub address).

So that entity resolution has real work, the same world is seen through many recaps:
- ~60 event series x years 2014-2026; an edition gets several recaps by different authors, and a talk
  of its programme appears in 2-3 of them, under slightly different titles;
- speakers come back over the years and at other events, sometimes for another company; the pool of
  people grows with the corpus (tens of thousands of names at 10,000 recaps);
- spellings vary at a low rate: accents dropped, one-letter typos in long names, legal suffixes
  ("Datalis" / "Datalis SAS"), the gazetteer's other spellings of tools ("k8s"), case ("Github");
- tool popularity is skewed (Zipf-like) and some tools rise or fade over the years.

Output is deterministic for a seed (same bytes) and streamed: one file is written at a time.
Tools come from the project's gazetteer (ontology/gazetteer/tools.ttl); people, companies, series,
talks and prose are made here, and copy nothing from the bundled corpus.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from kg import gazetteer
from kg.names import key, slug

YEARS = range(2014, 2027)
TALKS_PER_RECAP = (5, 15)
WORDS_PER_RECAP = (1000, 3500, 3000)  # low, high, mode of a triangular draw
RECAPS_PER_TALK = 2.5  # how many recaps describe a talk of an edition's programme, on average

# ---------------------------------------------------------------- pools

FIRST_NAMES = """Adrien Alexandre Alexis Antoine Arnaud Arthur Aurélien Baptiste Bastien Benjamin Bertrand Brice
Cédric Charles Christophe Clément Corentin Cyril Damien David Denis Didier Dimitri Édouard Emmanuel Éric Étienne
Fabien Fabrice Florent Florian François Frédéric Gaël Gaëtan Geoffrey Grégoire Grégory Guillaume Hervé Hugues Jérémy
Jérôme Joël Jonathan Julien Kévin Laurent Loïc Lucas Ludovic Marc Mathieu Maxime Mehdi Michaël Mickaël Nathan Nicolas
Olivier Pierre Quentin Raphaël Rémi Renaud Romain Samuel Sébastien Stéphane Sylvain Thibault Thierry Timothée Tristan
Valentin Vincent Xavier Yann Yannick Youssef Karim Rachid Théo Matthias Jean-Baptiste Jean-Christophe Pierre-Yves
Jean-François Adèle Agathe Alice Amélie Anaïs Anne Audrey Aurélie Camille Caroline Cécile Céline Charlotte Chloé
Claire Clara Coralie Delphine Élodie Émilie Emma Estelle Fanny Fatima Gaëlle Hélène Inès Isabelle Jeanne Julie
Juliette Laetitia Laura Léa Léna Lucie Maëlle Manon Margaux Marie Marion Mathilde Mélanie Nadia Nathalie Noémie Océane
Pauline Perrine Sabrina Salomé Sandrine Sarah Solène Sophie Stéphanie Sylvie Valérie Virginie Yasmine Zoé Amandine
Bérénice Ophélie Justine Morgane Nina Léonie Marie-Laure Anne-Sophie""".split()

LAST_NAMES = re.findall(r"(?:Le|Da) \S+|\S+", """Durand Lefebvre Simon Michel Garcia Bertrand Fournier Morel
Mercier Dupont Lambert Bonnet Martinez Legrand Garnier Rousseau Blanc Guérin Muller Henry Roussel Perrin Morin Gauthier
Dumont Lopez Fontaine Chevalier Robin Masson Sanchez Gérard Boyer Lemaire Duval Joly Gautier Roger Roche Roy Noël Meyer
Meunier Perez Marchand Dufour Blanchard Barbier Brun Dumas Brunet Schmitt Leroux Colin Fernandez Rolland Caron Aubert
Giraud Vidal Bourgeois Lemoine Picard Gaillard Lacroix Dupuis Charpentier Moulin Guillot Rey Berger Fabre Hubert
Carpentier Deschamps Lebrun Lemaître Maréchal Rivière Leblanc Boucher Collet Prévost Huet Jacquet Barre Chauvin Millet
Perrot Cousin Hoarau Lecomte Carré Poirier Baron Bailly Monnier Tessier Ménard Lejeune Aubry Vasseur Maillard Bouvier
Besson Cordier Sauvage Langlois Colas Lévêque Breton Gilbert Hamon Pichon Leclercq Lacombe Pasquier Delorme Texier
Lenoir Jacob Chevallier Vandenberghe Castelnau Beauchamp Villeneuve Montagnier Rochefort Lambertin Bellamy Kowalski
Nowakowski Szymanski Benhamou Belkacem Haddad Mansouri Benyahia Bouzid Tran Pham Le Gall Le Goff Le Bihan Kerjean
Quéméner Morvan Le Floch Tanguy Pellegrini Rossi Ferrari Da Silva Ferreira Rodrigues Oliveira Pereira Gonçalves
Schneider Weber Wagner Klein Hoffmann Keller Diallo Traoré Ndiaye Diop Camara Coulibaly Marchetti Bianchi Lombard
Grondin Payet Techer Lebon Mallet Carlier Delattre Dewitte Vermeulen Verhaeghe Dujardin Leleu Descamps Delannoy
Lemaire-Duval Bouchard Tremblay Gagnon Pelletier Lavoie Fortin Ouellet Bergeron Archambault Thibodeau Castaing
Darrieussecq Etcheverry Larrieu Laborde Lafitte Arnoux Bertin Courtois Chauveau Devaux Dumoulin Fleury Gros Guillon
Hebert Jourdan Lefort Lelièvre Maillot Marteau Navarro Parent Peltier Poulain Raynaud Rigaud Salmon Thomassin Vallet
Vautrin Wolff Zimmermann Chaumont Beaulieu Montfort Desrosiers Beaumont Rocheteau Vallette Chabert Guichard Costes
Valadier Pradier Soulier Auclair""")

# Company names: invented stems, each used once, in the shapes French tech companies take.
_ORG_PREFIXES = ("Nua Octo Code Logi Alti Ker Numé Info Cybe Néo Quali Axi Opa Veri Syna Azu Bru Ferro Grani Hexa Jado "
                 "Koli Lumi Mistra Orbi Pixe Quan Sira Tali Ura Volu Wal Xeno Zéni Arpe Bora Cala Dela Esca").split()
_ORG_SUFFIXES = "lis lab xia mer web loc riq soft tek sys rio mea nos go via net log dis tis lia".split()
_ORG_SHAPES = ["{}"] * 8 + ["{} Conseil", "{} Technologies", "{} Digital", "Groupe {}", "{} Labs", "{} Consulting",
                            "{} Solutions", "{} Informatique", "{} Systèmes"]
ORG_COUNT = 300
_LEGAL_SUFFIXES = (" SAS", " SA")

# Unknown tools: names no gazetteer knows, introduced by their context.
_TOOL_PREFIXES = ("kube nebu vela orbi quark zephy lume kryp helio strato pulsa ferro cumu sylva borea tida vortex "
                  "gali mira polar corvi lyra draco").split()
_TOOL_SUFFIXES = "ctl ly ix kit hub box flow mesh gate scope forge lint wise dash sync pipe".split()
INVENTED_TOOL_COUNT = 150

# Tools most talks mention, in this order of popularity; the rest of the gazetteer follows, shuffled by the seed.
_POPULAR_TOOLS = ["Kubernetes", "Docker", "GitHub", "Terraform", "GitLab", "Prometheus", "Grafana", "Helm", "Argo CD",
                  "Ansible", "PostgreSQL", "Kafka", "OpenTelemetry", "GitHub Actions", "Jenkins", "Redis", "AWS",
                  "Google Cloud", "Microsoft Azure", "Elasticsearch", "Spring Boot", "React", "Keycloak", "Vault",
                  "Git", "Jira", "Ubuntu", "Debian", "PyTorch", "Jupyter", "scikit-learn", "MongoDB", "MySQL",
                  "RabbitMQ", "Nginx", "Traefik", "Maven", "Gradle", "npm", "JUnit", "Gatling", "IntelliJ IDEA",
                  "Backstage", "Trivy", "Istio", "Node.js", "Angular", "Visual Studio Code", "Loki", "Cilium",
                  "Playwright", "SonarQube", "Quarkus", "Datadog", "Airflow", "Scaleway", "OVHcloud", "k6", "Snyk",
                  "Falco", "kubectl", "Kubecost", "Cloud Carbon Footprint", "Jaeger", "Kibana", "Pulumi"]
# Tools whose popularity moved over the years: (first year they are talked about, or the year they start fading).
_RISING_TOOLS = {"Ollama": 2024, "LangChain": 2023, "ChatGPT": 2023, "GitHub Copilot": 2022, "Hugging Face": 2021,
                 "OpenTofu": 2024, "Backstage": 2020, "Argo CD": 2018, "OpenTelemetry": 2019, "Cilium": 2018,
                 "k6": 2018, "Playwright": 2020, "Quarkus": 2019, "Trivy": 2019, "Kubecost": 2020, "Loki": 2019,
                 "GitHub Actions": 2019, "Pulumi": 2018, "Cloud Carbon Footprint": 2021}
_FADING_TOOLS = {"Jenkins": 2019, "Docker Swarm": 2017, "Mesos": 2016, "Puppet": 2017, "Chef": 2017,
                 "Travis CI": 2019, "Nagios": 2016, "Zabbix": 2018}

# Event series: (name, city, month). Known series are in the gazetteer; invented ones are found by their pattern.
SERIES = [
    ("Devoxx France", "Paris", 4), ("DevFest Nantes", "Nantes", 10), ("DevFest Lille", "Lille", 6),
    ("DevFest Toulouse", "Toulouse", 11), ("DevFest Lyon", "Lyon", 12), ("DevFest Strasbourg", "Strasbourg", 11),
    ("BreizhCamp", "Rennes", 6), ("Sunny Tech", "Montpellier", 7), ("RivieraDev", "Sophia Antipolis", 5),
    ("Volcamp", "Clermont-Ferrand", 10), ("Snowcamp", "Grenoble", 1), ("MiXiT", "Lyon", 4), ("DevLille", "Lille", 6),
    ("Codeurs en Seine", "Rouen", 11), ("BDX I/O", "Bordeaux", 11), ("Web2Day", "Nantes", 6),
    ("DevOpsDays Paris", "Paris", 5), ("DevOps REX", "Paris", 10), ("Paris Web", "Paris", 9),
    ("Blend Web Mix", "Lyon", 10), ("Forum PHP", "Paris", 10), ("Agile Tour Nantes", "Nantes", 11),
    ("Agile Tour Bordeaux", "Bordeaux", 10), ("Agile Tour Toulouse", "Toulouse", 10),
    ("Agile Tour Rennes", "Rennes", 11),
    ("Agile Grenoble", "Grenoble", 11), ("NewCrafts", "Paris", 5), ("Capitole du Libre", "Toulouse", 11),
    ("Salon de la Data", "Nantes", 9), ("Cloud Native Days France", "Paris", 2),
    ("Open Source Experience", "Paris", 12),
    ("Kernel Recipes", "Paris", 9), ("Scala.IO", "Lyon", 11), ("PyData Paris", "Paris", 9),
    ("DevFest Rennes", "Rennes", 10), ("DevFest Bordeaux", "Bordeaux", 11), ("DevFest Dijon", "Dijon", 11),
    ("DevFest Tours", "Tours", 3), ("DevFest Metz", "Metz", 10), ("Lyon JUG Day", "Lyon", 3),
    ("Nantes JUG Day", "Nantes", 2), ("Marseille JUG Day", "Marseille", 5), ("Cloud Provence", "Marseille", 6),
    ("Cloud Alsace", "Strasbourg", 9), ("Cloud Normandie", "Caen", 5), ("Cloud Occitanie", "Montpellier", 9),
    ("Cloud Atlantique", "La Rochelle", 6), ("Data Loire", "Angers", 3), ("Craft Garonne", "Bordeaux", 4),
    ("Sécu Azur", "Nice", 5), ("Front Rhône", "Lyon", 2), ("Kube Armor Day", "Lille", 3),
    ("Infra Bretagne", "Brest", 9),
    ("Nuit du Code Libre", "Poitiers", 12), ("Platform Day Paris", "Paris", 1), ("Green Code Day", "Nancy", 4),
    ("Test Camp Savoie", "Annecy", 6), ("Pixel Picardie", "Amiens", 10), ("Observa Day", "Reims", 3),
    ("API Flandres", "Roubaix", 11),
]

# Themes: tool categories of the gazetteer and what talks about them are about.
THEMES = {
    "conteneurs": (("orchestration", "container-tool", "container-runtime", "service-mesh"),
                   ["l'orchestration de conteneurs", "la gestion des clusters", "le scheduling des pods",
                    "l'isolation des workloads", "les images minimales", "le multi-cluster", "l'autoscaling"]),
    "observabilité": (("observability", "monitoring", "logging", "tracing"),
                      ["l'observabilité", "les SLO", "la gestion des alertes", "le tracing distribué",
                       "les métriques métier", "la corrélation des logs", "l'astreinte"]),
    "livraison": (("ci-cd", "gitops", "vcs", "build"),
                  ["l'intégration continue", "le déploiement continu", "les pipelines", "la revue de code",
                   "les mises en production", "la chaîne de build", "les environnements éphémères"]),
    "infrastructure": (("iac", "cloud-provider", "cloud-service", "configuration"),
                       ["l'infrastructure as code", "la migration vers le cloud", "les landing zones",
                        "la gestion des environnements", "le provisionnement", "la dette d'infrastructure"]),
    "données": (("data", "database", "messaging", "storage", "cache"),
                ["les pipelines de données", "le streaming d'événements", "la qualité des données",
                 "les bases de données distribuées", "le data mesh", "la modélisation des données"]),
    "IA": (("ml",), ["l'IA générative", "les assistants de code", "le MLOps", "l'entraînement des modèles",
                     "la recherche augmentée", "l'évaluation des modèles"]),
    "sécurité": (("security", "policy", "secrets"),
                 ["la sécurité de la supply chain", "la gestion des secrets", "les politiques d'accès",
                  "la détection d'intrusion", "le durcissement des images", "la gestion des vulnérabilités"]),
    "web": (("web-framework", "api", "runtime", "package-manager"),
            ["les architectures front", "les API", "le rendu côté serveur", "les performances web",
             "l'accessibilité", "les design systems"]),
    "qualité": (("testing", "load-testing", "developer-tool", "ide", "editor"),
                ["les tests automatisés", "les tests de charge", "la qualité du code", "l'expérience développeur",
                 "le refactoring", "le développement piloté par les tests"]),
    "plateforme": (("platform", "serverless", "networking", "cli"),
                   ["le platform engineering", "les portails développeurs", "le serverless", "le réseau",
                    "le self-service pour les équipes", "les golden paths"]),
    "sobriété": (("green-it", "finops", "os"),
                 ["la sobriété numérique", "la maîtrise des coûts cloud", "l'empreinte carbone",
                  "l'écoconception", "la durée de vie du matériel"]),
    "équipes": (("collaboration", "vcs", "developer-tool"),
                ["l'organisation des équipes", "la documentation", "l'onboarding", "le travail à distance",
                 "la culture DevOps", "les rituels d'équipe"]),
}

ROLES = ["Site Reliability Engineer", "Cloud Architect", "Tech Lead", "Staff Engineer", "CTO", "DevOps Engineer",
         "Software Engineer", "Data Engineer", "Security Engineer", "Product Manager", "Platform Engineer",
         "Engineering Manager", "Principal Engineer", "Head of Platform"]  # neither masculine nor feminine

LAYOUTS = {"md-yaml": 0.3, "md-toml": 0.15, "text-blog": 0.25, "text-toc": 0.15, "text-sections": 0.15}

# ---------------------------------------------------------------- prose

TITLES = [
    "{T} en production : retour d'expérience", "De {T2} à {T} : récit d'une migration",
    "{Topic} avec {T}, sans douleur", "Comment nous avons industrialisé {topic} avec {T}", "{T} : {n} mois plus tard",
    "Pourquoi nous avons abandonné {T2}", "{Topic} à l'échelle chez {org}", "{T} pour les nuls",
    "Dompter {topic} avec {T} et {T2}", "{Topic} : ce que personne ne vous dit", "Les pièges {de_topic}",
    "{T}, le bon, la brute et le truand", "{Topic}, de la théorie à la pratique",
    "Tout ce que vous avez toujours voulu savoir sur {T}", "{T} et {T2} : le duo gagnant ?",
    "REX : {topic} chez {org}", "Keynote : {topic} en {year}", "Atelier {T} : les mains dans le code",
    "Quickie : {T} en 15 minutes", "Table ronde : l'avenir {de_topic}", "{Topic} : {n} leçons apprises à la dure",
    "Migrer {n0} services vers {T}", "Observer avant d'agir : {topic} avec {T}", "{T} sous le capot",
    "Le jour où {T} a tout cassé", "Mettre {T} au service {de_topic}", "Petit guide de survie : {topic}",
    "{Topic} en {year} : où en sommes-nous ?", "{n} idées reçues sur {topic}", "{T} au-delà du hello world",
    "Construire {topic} avec {T}, pas à pas", "Retour d'expérience : {T} chez {org}",
]

ONE_TOOL_TITLES = [t for t in TITLES if "{T2}" not in t]

OPENINGS = [  # the first paragraph of a talk: a cue that a talk is presented
    "Dans ce talk, {who} nous {present} {topic}, un sujet qui revient dans toutes les équipes.",
    "Cette session revient sur {topic} et sur la façon dont {who} {aborde} le sujet au quotidien.",
    "Une conférence très attendue : {who} y {revient} sur {topic} et sur {n} ans de pratique.",
    "Dans cette présentation, {who} nous {explique} comment leur équipe a revu {topic} en profondeur.",
    "Le talk commence par un constat : le sujet {de_topic} est souvent traité trop tard, et {who} nous {montre} "
    "pourquoi.",
]
PRESENT = {1: ("présente", "aborde", "revient", "explique", "montre"),
           2: ("présentent", "abordent", "reviennent", "expliquent", "montrent")}

TOOL_SENTENCES = [
    "{F} commence par rappeler ce qu'est {t} et pourquoi l'équipe l'a choisi.",
    "L'équipe utilisait déjà {t} depuis {n} ans, mais sans vraie stratégie.",
    "Le choix de {t} s'est imposé après plusieurs semaines d'essais.",
    "Une démonstration en direct montre {t} en action sur un environnement de test.",
    "D'après les mesures présentées, {t} a permis de diviser par {n} le temps de déploiement.",
    "La migration vers {t} a pris {n} mois, avec quelques surprises en chemin.",
    "Côté outillage, {t} et {t2} forment le cœur de la chaîne.",
    "On retrouve ensuite {t}, branché sur {t2}, pour fermer la boucle.",
    "L'intégration avec {t} a demandé un peu de code maison.",
    "Le bilan sur {t} est honnête : tout n'est pas rose, loin de là.",
    "Pour les curieux, la documentation de {t} est un bon point de départ.",
    "La démo s'appuie sur {t} pour générer la configuration de bout en bout.",
    "Plusieurs questions du public portaient sur la comparaison entre {t} et {t2}.",
    "Aujourd'hui, {t} tourne sur plus de {n0} environnements.",
    "{F} montre comment {t} s'intègre dans {topic}.",
    "Le passage à {t} a aussi changé la façon de travailler des équipes.",
    "Sans surprise, {t} reste la brique centrale de l'architecture.",
    "Les limites de {t} apparaissent vite quand la volumétrie augmente.",
    "Un exemple concret montre {t} utilisé pour valider chaque changement avant la production.",
    "Ils ont ajouté {t} à la chaîne existante, sans tout réécrire.",
    "Le retour est clair : {t} fait gagner du temps, à condition de bien le configurer.",
    "La question du coût de {t} a aussi été posée, avec des chiffres à l'appui.",
]
TOPIC_SENTENCES = [
    "Le sujet {de_topic} revient souvent dans les équipes, et ce retour tombe à point nommé.",
    "Le constat de départ est simple : négliger {topic} coûte cher quand on s'y prend trop tard.",
    "Le propos alterne théorie et exemples concrets, ce qui le rend très accessible.",
    "Les slides sont claires et le rythme soutenu, sans temps mort.",
    "Plusieurs schémas permettent de comprendre l'architecture cible et ses compromis.",
    "L'équipe a d'abord mesuré l'existant avant de changer quoi que ce soit.",
    "Le premier chantier a été de rendre visibles les dépendances entre les services.",
    "Une bonne partie de la présentation est consacrée aux erreurs commises en chemin.",
    "La question {de_topic} ne se résume pas à un choix d'outil, loin de là.",
    "Il a fallu compter plusieurs mois avant de voir les premiers bénéfices.",
    "Le public a posé beaucoup de questions, signe que le sujet parle à tout le monde.",
    "Les chiffres présentés sont parlants : {n} % d'incidents en moins sur l'année.",
    "La conclusion est pragmatique : commencer petit, mesurer, puis itérer.",
    "On sent une vraie maturité sur {topic}, fruit de plusieurs années de pratique.",
    "Les équipes ont été impliquées très tôt, ce qui a beaucoup facilité l'adoption.",
    "Un point important concerne la formation des développeurs et des équipes d'exploitation.",
    "Le coût de maintenance avait été largement sous-estimé au départ.",
    "Le découpage en petites étapes a permis de limiter les risques à chaque mise en production.",
    "Chaque étape est illustrée par un exemple tiré de la production, anonymisé bien sûr.",
    "La gouvernance a été le vrai sujet, bien plus que la technique.",
    "On retiendra surtout l'importance de documenter les décisions d'architecture.",
    "L'approche est progressive : d'abord un projet pilote, puis une généralisation.",
    "Le retour sur investissement est réel, mais il a fallu être patient.",
    "Les contraintes réglementaires ont pesé sur les choix techniques dès le début.",
    "Il n'existe pas de solution miracle, et c'est sans doute le message principal.",
    "Les développeurs et les opérationnels travaillent désormais main dans la main.",
    "Un tableau de bord partagé permet de suivre l'avancement chaque semaine.",
    "Le plus dur n'a pas été technique : il a fallu convaincre en interne, projet après projet.",
    "Certaines équipes ont résisté au changement, ce qui est finalement assez sain.",
    "La salle était pleine et l'ambiance détendue, malgré l'heure matinale.",
    "Le sujet {de_topic} mériterait presque une journée entière à lui seul.",
    "Un rappel utile : la dette technique finit toujours par se payer, avec les intérêts.",
    "L'automatisation ne remplace pas la réflexion, elle la rend juste plus rapide.",
    "Les premiers résultats sont arrivés au bout de {n} sprints seulement.",
]
SPEAKER_SENTENCES = [  # the speaker's first name as subject: the way recaps go on about a speaker
    "{F} insiste sur l'importance {de_topic} dès le début d'un projet.",
    "{F} explique ensuite comment l'équipe a réorganisé son travail.",
    "{F} partage aussi quelques anecdotes savoureuses sur les débuts du projet.",
    "{F} termine par une série de recommandations très concrètes.",
    "{F} rappelle que la technique n'est qu'une partie de la réponse.",
]
UNKNOWN_TOOL_MD = [
    "L'équipe a développé l'outil [{t}](https://github.com/{gh}/{cmd}) pour combler ce manque.",
    "**{t}**, un outil open source maison, automatise toute cette partie.",
    "Pour cela, ils utilisent la commande `{cmd}`, écrite en interne puis publiée en open source.",
    "Le projet {t} est né de ce besoin et compte aujourd'hui une dizaine de contributeurs.",
    "{t}, un framework léger écrit par l'équipe, fait le lien entre les différentes briques.",
]
UNKNOWN_TOOL_TEXT = [
    "L'équipe a développé l'outil {t} pour combler ce manque.",
    "{t}, un outil open source maison, automatise toute cette partie.",
    "Le code de {t} est disponible sur https://github.com/{gh}/{cmd} pour qui veut l'essayer.",
    "Le projet {t} est né de ce besoin et compte aujourd'hui une dizaine de contributeurs.",
    "{t}, un framework léger écrit par l'équipe, fait le lien entre les différentes briques.",
]
ONE_TOOL_SENTENCES = [t for t in TOOL_SENTENCES if "{t2}" not in t]
SHELL_COMMANDS = {  # sub-commands typed in demos, by tool category
    "iac": ("init", "plan", "apply"), "container-tool": ("build", "run", "push"), "cli": ("get pods", "status"),
    "package-manager": ("install", "update"), "build": ("build", "test"), "orchestration": ("apply -f demo.yaml",),
    "security": ("scan .",), "container-runtime": ("run --rm demo",)}

INTROS = [
    "Le {date} s'est tenue à {city} la {nth} édition de {event}. Plus de {people} personnes, {tracks} salles "
    "et une journée bien remplie : voici ce que nous en avons retenu.",
    "{event} avait lieu le {date} à {city}, pour sa {nth} édition. Comme chaque année, le programme était "
    "dense et il a fallu faire des choix.",
    "Nous étions à {city} le {date} pour {event}. Cette {nth} édition a réuni près de {people} participants "
    "autour de {tracks} tracks en parallèle.",
]
INTROS_ONLINE = [
    "Le {date}, {event} s'est déroulé en ligne, contexte sanitaire oblige. Cette {nth} édition a tout de même "
    "réuni près de {people} participants derrière leur écran.",
    "Cette année, {event} a pris une forme virtuelle : la {nth} édition a eu lieu le {date}, en ligne, "
    "avec {tracks} tracks diffusées en direct.",
]
INTRO_MORE = [
    "L'organisation, entièrement bénévole, a encore fait un travail remarquable.",
    "Le lieu était idéal : des salles spacieuses et un espace partenaires où il faisait bon discuter.",
    "Comme souvent, le plus difficile a été de choisir entre les sessions programmées en même temps.",
    "Voici un résumé des conférences auxquelles nous avons assisté, dans l'ordre de la journée.",
    "Ce compte-rendu ne couvre qu'une partie des sessions : les vidéos devraient être publiées sous peu.",
]
CONCLUSIONS = [
    "Une très belle édition, riche en retours d'expérience. Merci aux organisateurs, aux orateurs et aux "
    "bénévoles, et rendez-vous l'année prochaine !",
    "Une journée dense et inspirante. Nous repartons avec beaucoup d'idées à tester dans nos projets, et "
    "l'envie de revenir l'an prochain.",
    "Encore une réussite pour cette édition. Merci à toute l'équipe d'organisation pour l'accueil et la "
    "qualité du programme.",
]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def french_date(day: dt.date, weekday: bool = True) -> str:
    nth = "1er" if day.day == 1 else str(day.day)
    text = f"{nth} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def of(phrase: str) -> str:
    """"le réseau" -> "du réseau", "les API" -> "des API", "la dette" -> "de la dette"."""
    if phrase.startswith("le "):
        return "du " + phrase[3:]
    if phrase.startswith("les "):
        return "des " + phrase[4:]
    return "de " + phrase


def of_name(name: str) -> str:
    """"de Datalis", "d'Octolab"."""
    return elide("de " + name)


_ELISION = re.compile(r"\b([Dd])e (?=[AEIOUYÉÈaeiouyéè])")


def elide(text: str) -> str:
    """"de Agile Tour" -> "d'Agile Tour", once the slots are filled."""
    return _ELISION.sub(r"\1'", text)


def ordinal(number: int) -> str:
    return "1re" if number == 1 else f"{number}e"


# ---------------------------------------------------------------- the world the recaps describe

@dataclass(frozen=True, slots=True)
class Tool:
    label: str
    spellings: tuple[str, ...]  # other ways recaps write it (gazetteer alternative labels)
    category: str | None
    homepage: str | None
    known: bool  # in the gazetteer; an invented tool is only found from its context
    command: str  # as typed in a shell


@dataclass(frozen=True, slots=True)
class Speaker:
    name: str
    org: str | None  # where the speaker worked that year


@dataclass(frozen=True, slots=True)
class Talk:
    id: str
    title: str
    theme: str
    topic: str
    speakers: tuple[Speaker, ...]
    tools: tuple[Tool, ...]


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    city: str
    month: int
    weight: float  # how often its editions are recapped, relative to other series
    first_year: int


@dataclass(eq=False, slots=True)
class Edition:
    series: str
    year: int
    city: str | None  # None when it took place online
    date: dt.date
    number: int  # its edition number
    recap_sizes: list[int] = field(default_factory=list)  # talk count of each recap planned for it
    program: list[Talk] | None = None  # made when its first recap is written

    @property
    def name(self) -> str:
        return f"{self.series} {self.year}"


class World:
    """Name pools, event editions and careers, all drawn from the seed; `n` sets how many people exist."""

    def __init__(self, n: int, seed: int) -> None:
        self.seed = seed
        rng = random.Random(f"{seed}/pools")
        taken = {key(e.label) for kind in ("tools", "organizations", "events") for e in gazetteer.bundled_entries(kind)}
        taken |= set(gazetteer.cities()) | set(gazetteer.non_tools())

        firsts = [f for f in FIRST_NAMES if gazetteer.is_first_name(f) and key(f) not in taken]
        lasts = [last for last in LAST_NAMES if key(last) not in taken]
        combos = [(f, last) for f in firsts for last in lasts]
        rng.shuffle(combos)
        # enough people that regulars come back at small sizes and tens of thousands speak at 10,000 recaps
        self.people = [f"{f} {last}" for f, last in combos[:max(300, 4 * n)]]

        stems = [p + s for p in _ORG_PREFIXES for s in _ORG_SUFFIXES]
        stems = [s for s in stems if key(s) not in taken and not gazetteer.is_first_name(s)]
        rng.shuffle(stems)
        self.orgs = []
        for stem in stems[:ORG_COUNT]:
            name = rng.choice(_ORG_SHAPES).format(stem)
            self.orgs.append(name + rng.choice(_LEGAL_SUFFIXES) if rng.random() < 0.12 else name)

        self.tools, self.trend = self._tools(rng, taken)
        self.series = [Series(name, city, month, 1 / (rank + 1) ** 0.8, rng.choice(YEARS[:9]))
                       for rank, (name, city, month) in enumerate(rng.sample(SERIES, len(SERIES)))]
        self.series_cumulative = list(accumulate(s.weight for s in self.series))
        self.editions: dict[tuple[str, int], Edition] = {}
        self._careers: dict[int, list[tuple[int, str]]] = {}
        self._weights: dict[tuple[str, int], tuple[list[Tool], list[float]]] = {}

    @staticmethod
    def _tools(rng: random.Random, taken: set[str]) -> tuple[list[Tool], dict[str, tuple[float, str, int]]]:
        """Gazetteer tools in order of popularity, with invented ones among them; each with a trend:
        label -> (Zipf weight, "stable" / "rising" / "fading", the year it starts rising or fading)."""
        # not tools named like people, nor names the extractor's tokens cannot span ("Weights & Biases")
        entries = {e.label: e for e in gazetteer.bundled_entries("tools") if not gazetteer.is_first_name(e.label)
                   and key(e.label) not in gazetteer.non_tools() and re.fullmatch(r"[\w.+#/ -]+", e.label)}
        popular = [entries[label] for label in _POPULAR_TOOLS if label in entries]
        rest = sorted(set(entries.values()) - set(popular), key=lambda e: e.label)
        rng.shuffle(rest)
        # other spellings, but not "sigstore/cosign" (two names) nor domains ("dagger.io")
        tools = [Tool(e.label, tuple(n for n in e.alt_labels if "/" not in n and ("." not in n or ".js" in n)),
                      e.category, e.homepage, True, e.label.split()[0].lower()) for e in popular + rest]
        names = sorted({p + s for p in _TOOL_PREFIXES for s in _TOOL_SUFFIXES} - taken)
        rng.shuffle(names)
        categories = sorted({c for cats, _ in THEMES.values() for c in cats})
        for name in names[:INVENTED_TOOL_COUNT]:
            tools.insert(rng.randrange(len(popular), len(tools)),  # invented tools are never the most popular
                         Tool(name.capitalize(), (), rng.choice(categories), None, False, name))
        trend = {}
        for rank, tool in enumerate(tools):
            shape = rng.random()
            if tool.label in _RISING_TOOLS:
                moves = ("rising", _RISING_TOOLS[tool.label])
            elif tool.label in _FADING_TOOLS:
                moves = ("fading", _FADING_TOOLS[tool.label])
            elif rank < len(popular) or shape < 0.6:
                moves = ("stable", 0)
            elif shape < 0.85:
                moves = ("rising", rng.choice(YEARS[:11]))
            else:
                moves = ("fading", rng.choice(YEARS[3:]))
            trend[tool.label] = (1 / (rank + 1) ** 1.1, *moves)
        return tools, trend

    def popularity(self, tool: Tool, year: int) -> float:
        base, shape, pivot = self.trend[tool.label]
        if shape == "rising":  # absent, then more talked about than its rank says within three years
            return 0.0 if year < pivot else base * min(1.0, (year - pivot + 1) / 3) * 4
        if shape == "fading":
            return base * 0.5 ** max(0, year - pivot)
        return base

    def theme_tools(self, theme: str, year: int) -> tuple[list[Tool], list[float]]:
        """The tools a talk of this theme may mention that year, with cumulative weights."""
        cached = self._weights.get((theme, year))
        if cached is None:
            categories = set(THEMES[theme][0])
            tools = [t for t in self.tools if t.category in categories]
            cumulative = list(accumulate(self.popularity(t, year) + 1e-6 for t in tools))
            cached = self._weights[(theme, year)] = (tools, cumulative)
        return cached

    def person(self, rng: random.Random) -> int:
        """A speaker: a few regulars speak often, most people once or twice."""
        return int(len(self.people) * rng.random() ** 1.5)

    def org_of(self, person: int, year: int) -> str | None:
        """Where a person works that year: careers start anywhere, and people move every few years."""
        career = self._careers.get(person)
        if career is None:
            rng = random.Random(f"{self.seed}/career/{person}")
            career, start = [], rng.choice(range(2008, 2024))
            while start <= YEARS[-1]:
                org = None if rng.random() < 0.08 else self.orgs[int(len(self.orgs) * rng.random() ** 1.5)]
                career.append((start, org))
                start += rng.randint(3, 8)
            self._careers[person] = career
        org = career[0][1]
        for since, name in career:
            if since <= year:
                org = name
        return org

    def edition(self, rng: random.Random) -> Edition:
        """An edition, big series more often and recent years more often (more recaps are written lately)."""
        series = rng.choices(self.series, cum_weights=self.series_cumulative)[0]
        years = [y for y in YEARS if y >= series.first_year]
        year = rng.choices(years, weights=[1 + (y - years[0]) * 0.3 for y in years])[0]
        found = self.editions.get((series.name, year))
        if found is None:
            # seeded by the edition, not by the plan: its date and place are the same at every corpus size
            edition_rng = random.Random(f"{self.seed}/edition/{series.name}/{year}")
            online = year in (2020, 2021) and edition_rng.random() < 0.6
            day = dt.date(year, series.month, edition_rng.randint(1, 28))
            found = self.editions[(series.name, year)] = Edition(series.name, year, None if online else series.city,
                                                                 day, year - series.first_year + 1)
        return found

    def program(self, edition: Edition) -> list[Talk]:
        """The talks of an edition: enough that each is described by ~2.5 of its recaps."""
        if edition.program is not None:
            return edition.program
        rng = random.Random(f"{self.seed}/program/{edition.series}/{edition.year}")
        size = max(max(edition.recap_sizes), math.ceil(sum(edition.recap_sizes) / RECAPS_PER_TALK))
        talks, titles = [], set()
        while len(talks) < size:
            talk = self._talk(rng, edition, len(talks))
            if key(talk.title) not in titles:  # two talks of one edition never share a title
                titles.add(key(talk.title))
                talks.append(talk)
        edition.program = talks
        return talks

    def _talk(self, rng: random.Random, edition: Edition, index: int) -> Talk:
        theme = rng.choice(list(THEMES))
        topic = rng.choice(THEMES[theme][1])
        tools_of_theme, cumulative = self.theme_tools(theme, edition.year)
        tools: list[Tool] = []
        for tool in rng.choices(tools_of_theme, cum_weights=cumulative, k=rng.randint(2, 6)):
            if tool not in tools:
                tools.append(tool)
        if rng.random() < 0.12:  # a talk about an unknown tool
            unknown = rng.choice([t for t in tools_of_theme if not t.known] or [t for t in self.tools if not t.known])
            if unknown not in tools:
                tools.insert(0, unknown)
        people = []
        for _ in range(rng.choices((1, 2, 3), weights=(70, 25, 5))[0]):
            person = self.person(rng)
            if person not in people:
                people.append(person)
        orgs = [self.org_of(p, edition.year) for p in people]
        orgs[1:] = [orgs[0] if rng.random() < 0.7 else org for org in orgs[1:]]  # colleagues often present together
        speakers = tuple(Speaker(self.people[p], org) for p, org in zip(people, orgs))
        slots = {"T": tools[0].label, "T2": tools[-1].label,
                 "topic": topic, "Topic": topic[0].upper() + topic[1:], "de_topic": of(topic), "n": rng.randint(3, 12),
                 "n0": rng.choice((12, 40, 80, 150, 300)), "year": edition.year,
                 "org": speakers[0].org or rng.choice(self.orgs)}
        title = elide(rng.choice(TITLES if len(tools) > 1 else ONE_TOOL_TITLES).format(**slots))
        return Talk(f"{slug(edition.name)}/{index:03d}", title, theme, topic, speakers, tuple(tools))


# ---------------------------------------------------------------- truth

@dataclass(slots=True)
class TalkTruth:
    talk: Talk
    title: str  # as this recap writes it
    orgs: tuple[str | None, ...]  # per speaker, the organisation this recap states, by its name (None: not stated)
    tools: tuple[Tool, ...]  # the tools this recap mentions for the talk


@dataclass(slots=True)
class RecapTruth:
    file: str
    layout: str
    edition: Edition
    authors: tuple[str, ...]
    talks: list[TalkTruth]
    words: int


@dataclass
class Truth:
    """What the generated files say, for scoring what `kg build` extracts from them."""

    seed: int
    recaps: list[RecapTruth] = field(default_factory=list)

    def summary(self) -> dict:
        editions = {(r.edition.series, r.edition.year) for r in self.recaps}
        talks = [t for r in self.recaps for t in r.talks]
        return {
            "files": len(self.recaps),
            "words": sum(r.words for r in self.recaps),
            "events": len(editions),
            "series": len({series for series, _ in editions}),
            "talks": len({t.talk.id for t in talks}),
            "people": len({s.name for t in talks for s in t.talk.speakers}),
            "organizations": len({o for t in talks for o in t.orgs if o}),
            "tools": len({tool.label for t in talks for tool in t.tools}),
        }

    def files(self) -> Iterator[tuple[str, dict]]:
        """(file name, what it says) for each file, as plain data."""
        for r in self.recaps:
            yield r.file, {
                "layout": r.layout,
                "event": {"series": r.edition.series, "year": r.edition.year, "city": r.edition.city,
                          "date": r.edition.date.isoformat()},
                "authors": list(r.authors),
                "talks": [{"id": t.talk.id, "title": t.title,
                           "speakers": [{"name": s.name, "org": org} for s, org in zip(t.talk.speakers, t.orgs)],
                           "tools": [tool.label for tool in t.tools],
                           "unknown_tools": [tool.label for tool in t.tools if not tool.known]}
                          for t in r.talks],
            }

    def write(self, path: Path) -> None:
        """{"seed", "summary", "files": {name: {layout, event, authors, talks}}}, one file at a time."""
        with path.open("w", encoding="utf-8") as out:
            out.write(f'{{"seed": {self.seed}, "summary": {json.dumps(self.summary())}, "files": {{')
            for i, (name, data) in enumerate(self.files()):
                out.write(("," if i else "") + f"\n{json.dumps(name)}: {json.dumps(data, ensure_ascii=False)}")
            out.write("\n}}\n")


# ---------------------------------------------------------------- one recap

class RecapWriter:
    """Writes one recap of an edition in one layout; records what it says in `truth`."""

    def __init__(self, world: World, rng: random.Random, edition: Edition, talks: list[Talk], layout: str,
                 authors: tuple[str, ...], words: int) -> None:
        self.world, self.rng, self.edition, self.layout = world, rng, edition, layout
        self.markdown = layout.startswith("md")
        self.talks = talks
        self.authors = authors
        self.words_per_talk = max(90, (words - 250) // len(talks))
        self.lines: list[str] = []
        self.truth: list[TalkTruth] = []
        self.canonical_orgs: dict[str, str] = {}  # an organisation as written -> its name in the world

    # -- spellings --------------------------------------------------------
    def person(self, name: str) -> str:
        r = self.rng.random()
        if r < 0.03:
            return without_accents(name)
        if r < 0.045 and len(name) >= 14:  # a typo in a long name: one letter dropped or doubled
            i = self.rng.randrange(len(name.split()[0]) + 2, len(name) - 1)
            return name[:i] + name[i + 1:] if self.rng.random() < 0.5 else name[:i] + name[i] + name[i:]
        return name

    def org(self, name: str) -> str:
        if self.rng.random() < 0.06:
            for suffix in _LEGAL_SUFFIXES:
                if name.endswith(suffix):
                    return name[: -len(suffix)]
            return name + self.rng.choice(_LEGAL_SUFFIXES)
        return name

    def tool(self, tool: Tool) -> str:
        r = self.rng.random()
        name = tool.label
        if tool.spellings and r < 0.1:
            name = self.rng.choice(tool.spellings)
        elif r < 0.13 and re.search(r"[a-z][A-Z]", name):
            name = name[0] + name[1:].lower()  # "Github"
        if not self.markdown:
            return name
        r = self.rng.random()
        if r < 0.2:
            return f"**{name}**"
        if r < 0.3 and tool.homepage:
            return f"[{name}]({tool.homepage})"
        if r < 0.36 and tool.category == "cli" and " " not in name:
            return f"`{name}`"
        return name

    # -- building blocks --------------------------------------------------
    def emit(self, *lines: str) -> None:
        self.lines.extend(lines)

    def fill(self, template: str, **slots) -> str:
        slots.setdefault("n", self.rng.randint(2, 9))
        slots.setdefault("n0", self.rng.choice((12, 30, 80, 200)))
        if "topic" in slots:
            slots["de_topic"] = of(slots["topic"])
        return elide(template.format(**slots))

    def heading(self, title: str) -> None:
        self.emit("", f"## {title}" if self.markdown else title, "")

    def paragraph(self, text: str) -> None:
        self.emit(text, "")

    # -- the recap ----------------------------------------------------------
    def write(self) -> str:
        getattr(self, "_" + self.layout.replace("-", "_"))()
        return "\n".join(self.lines).strip() + "\n"

    def intro(self) -> str:
        ed = self.edition
        template = self.rng.choice(INTROS_ONLINE if ed.city is None else INTROS)
        text = template.format(date=french_date(ed.date), city=ed.city, event=ed.name, nth=ordinal(ed.number),
                               people=self.rng.choice((300, 500, 800, 1200, 2000)), tracks=self.rng.randint(2, 6))
        return " ".join([elide(text), *self.rng.sample(INTRO_MORE, 2)])

    def recap_title(self) -> str:
        title = self.rng.choice(["Retour sur {e}", "{e} : nos retours", "Compte-rendu de {e}",
                                "Ce que j'ai retenu de {e}", "{e} : retour sur une journée de conférences",
                                "Nos notes sur {e}"]).format(e=self.edition.name)
        return elide(title)

    def published(self) -> dt.date:
        return self.edition.date + dt.timedelta(days=self.rng.randint(1, 20))

    def title_as_written(self, talk: Talk) -> str:
        """Recaps of one talk write its title slightly differently."""
        title, r = talk.title, self.rng.random()
        if r < 0.08 and " : " in title:
            head, tail = title.split(" : ", 1)
            return head if len(head.split()) >= 3 else f"{head} : {tail[0].upper()}{tail[1:]}"
        if r < 0.14:
            return title.lower().capitalize() if title[0].isupper() else title
        if r < 0.18 and len(title) > 20:  # a typo, not in a tool's name
            i = self.rng.randrange(5, len(title) - 2)
            in_tool = any(m.start() <= i < m.end() for t in talk.tools for m in re.finditer(re.escape(t.label), title))
            return title if in_tool or not title[i].isalpha() else title[:i] + title[i + 1:]
        if r < 0.22 and not title.endswith("?"):
            return title + " !"
        return title

    def record(self, talk: Talk, title: str, orgs: list[str | None], tools: list[Tool]) -> None:
        """What this recap says of a talk; a known tool its title names counts as mentioned."""
        in_title = [t for t in talk.tools if t.known and t not in tools
                    and re.search(rf"(?<!\w){re.escape(t.label)}(?!\w)", title, re.I)]
        canonical = tuple(self.canonical_orgs[o] if o else None for o in orgs)
        self.truth.append(TalkTruth(talk, title, canonical, tuple(tools + in_title)))

    def speakers_as_written(self, talk: Talk) -> tuple[list[str], list[str | None]]:
        """Names and the organisation stated for each, as written (one in ten recaps leave it out)."""
        names = [self.person(s.name) for s in talk.speakers]
        written = {s.org: self.org(s.org) for s in talk.speakers if s.org}  # one spelling per company in a talk
        self.canonical_orgs.update((w, org) for org, w in written.items())
        orgs = [None if s.org is None or self.rng.random() < 0.1 else written[s.org] for s in talk.speakers]
        return names, orgs

    def speakers_in_prose(self, names: list[str], orgs: list[str | None]) -> str:
        """"Alice Martin et Bob Durand (Datalis)", "Alice Martin, Tech Lead chez Datalis,", "Bob Durand d'Octolab"."""
        def one(name: str, org: str | None) -> str:
            r = self.rng.random()
            if org is None:
                return name
            return f"{name} ({org})" if r < 0.4 else f"{name} {of_name(org)}" if r < 0.7 else \
                f"{name}, {self.rng.choice(ROLES)} chez {org},"

        if len(names) > 1 and len(set(orgs)) == 1:
            return one(", ".join(names[:-1]) + " et " + names[-1], orgs[0])
        return " et ".join(one(n, o) for n, o in zip(names, orgs))

    def body(self, talk: Talk, who: str | None, first_names: list[str], tools: list[Tool]) -> list[str]:
        """Paragraphs about a talk, opening on a cue that it is presented (by `who`, when the speakers are
        named in prose), each tool mentioned at least once."""
        rng = self.rng
        verbs = PRESENT[min(len(talk.speakers), 2) if who else 1]
        sentences = [self.fill(rng.choice(OPENINGS), who=who or "l'équipe", topic=talk.topic, present=verbs[0],
                               aborde=verbs[1], revient=verbs[2], explique=verbs[3], montre=verbs[4])]
        pending = list(tools)
        words = len(sentences[0].split())
        budget = self.words_per_talk
        while words < budget or pending:
            r = rng.random()
            if pending and (r > 0.6 or words > budget * 0.6):
                tool = pending.pop(0)
                if not tool.known:
                    pool = UNKNOWN_TOOL_MD if self.markdown else UNKNOWN_TOOL_TEXT
                    text = self.fill(rng.choice(pool), t=tool.label, cmd=tool.command,
                                     gh=slug(rng.choice(self.world.orgs)))
                else:
                    template = rng.choice(TOOL_SENTENCES)
                    other = next((t for t in pending if t.known), None) if "{t2}" in template else None
                    if other:
                        pending.remove(other)
                    elif "{t2}" in template:
                        template = rng.choice(ONE_TOOL_SENTENCES)
                    text = self.fill(template, t=self.tool(tool), t2=self.tool(other) if other else "",
                                     topic=talk.topic, F=rng.choice(first_names))
            elif r < 0.12:
                text = self.fill(rng.choice(SPEAKER_SENTENCES), F=rng.choice(first_names), topic=talk.topic)
            else:
                text = self.fill(rng.choice(TOPIC_SENTENCES), topic=talk.topic)
            sentences.append(text)
            words += len(text.split())
        paragraphs, i = [], 0
        while i < len(sentences):
            size = rng.randint(3, 5)
            paragraphs.append(" ".join(sentences[i:i + size]))
            i += size
        if self.markdown and rng.random() < 0.2:
            commands = [t for t in tools if t.known and t.category in SHELL_COMMANDS and t.command.isalpha()]
            if commands:
                tool = rng.choice(commands)
                paragraphs.insert(min(2, len(paragraphs)), "Un exemple tiré de la démo :\n\n```\n"
                                  f"$ {tool.command} {rng.choice(SHELL_COMMANDS[tool.category])}\n```")
        return paragraphs

    def mentioned_tools(self, talk: Talk) -> list[Tool]:
        """A recap mentions most of a talk's tools, not always all of them, and always those of its title."""
        return [t for t in talk.tools if t.label in talk.title or self.rng.random() < 0.85]

    def first_names(self, names: list[str]) -> list[str]:
        return [n.split()[0] for n in names]

    # -- markdown layouts ---------------------------------------------------
    def _md_yaml(self) -> None:
        ed = self.edition
        tags = [ed.series, ed.city or "en ligne", "conférence"]
        self.emit("---", f"title: {json.dumps(self.recap_title(), ensure_ascii=False)}",
                  f"date: {self.published().isoformat()}", f"author: {self.authors[0]}",
                  f"tags: {json.dumps(tags, ensure_ascii=False)}", "---", "")
        self.paragraph(self.intro())
        listed = self.talks[-self.rng.randint(2, 4):] if len(self.talks) >= 7 and self.rng.random() < 0.35 else []
        for talk in self.talks[: len(self.talks) - len(listed)]:
            self.md_talk(talk, self.rng.choice(["par", "presented", "title", "prose", "name-line"]))
        if listed:
            self.heading("Les autres talks")
            for talk in listed:
                self.list_item(talk)
            self.emit("")
        self.heading("Conclusion")
        self.paragraph(self.rng.choice(CONCLUSIONS))

    def _md_toml(self) -> None:
        self.emit("+++", f"date = \"{self.published().isoformat()}T18:30:00+02:00\"", "draft = false",
                  f"title = {json.dumps('Review de la conférence ' + self.edition.name, ensure_ascii=False)}",
                  "+++", "")
        self.paragraph(self.intro())
        for talk in self.talks:
            self.emit("---")
            self.md_talk(talk, "presented-role")
        self.emit("---")
        self.heading("Conclusion")
        self.paragraph(self.rng.choice(CONCLUSIONS))

    def md_talk(self, talk: Talk, style: str) -> None:
        rng = self.rng
        title = self.title_as_written(talk)
        names, orgs = self.speakers_as_written(talk)
        tools = self.mentioned_tools(talk)
        lead: list[str] = []
        who = None
        heading = title
        if style == "par":
            parts = [f"[{n}](https://twitter.com/{slug(n).replace('-', '')})" + (f" ({o})" if o else "")
                     for n, o in zip(names, orgs)]
            lead.append("Par " + " et ".join(parts))
        elif style == "presented":
            parts = [f"**{n}**" + (f" ({o})" if o else "") for n, o in zip(names, orgs)]
            lead.append(("Présentée par " if rng.random() < 0.5 else "Présenté par ") + " et ".join(parts) + ".")
        elif style == "presented-role":
            parts = [f"**{n}** - ***{rng.choice(ROLES)}***" + (f" chez **{o}**" if o else "")
                     for n, o in zip(names, orgs)]
            lead.append("Présentée par " + " - et ".join(parts) + ".")
        elif style == "title":
            shared = len(set(orgs)) == 1 and orgs[0]
            heading = f"{title} – {' et '.join(names)}" + (f", {orgs[0]}" if shared else "")
            orgs = [o if shared else None for o in orgs]
        elif style == "name-line":
            shared = len(set(orgs)) == 1 and orgs[0]
            lead.append(", ".join(names) + (f" - {orgs[0]}" if shared else ""))
            orgs = [o if shared else None for o in orgs]
        else:
            who = self.speakers_in_prose(names, orgs)
        self.heading(heading)
        for line in lead:
            self.paragraph(line)
        for text in self.body(talk, who, self.first_names(names), tools):
            self.paragraph(text)
        if style == "presented-role" and any(t.homepage for t in tools):
            self.emit("Plus d'infos sur :", *(f"- [{t.label}]({t.homepage})" for t in tools if t.homepage), "")
        self.record(talk, title, orgs, tools)

    def list_item(self, talk: Talk) -> None:
        """"- *Titre* - Alice Martin, Datalis": a talk named in a list, without a summary."""
        title = self.title_as_written(talk)
        names, orgs = self.speakers_as_written(talk)
        shared = len(set(orgs)) == 1 and orgs[0]
        who = ", ".join(names) + (f", {orgs[0]}" if shared and self.rng.random() < 0.5 else
                                  f" ({orgs[0]})" if shared else "")
        self.emit(f"- *{title}* - {who}" if self.markdown else f"- {title} - {who}")
        self.record(talk, title, [o if shared else None for o in orgs], [])

    # -- scraped text layouts -------------------------------------------------
    def text_header(self) -> None:
        """What a scraped page keeps above the post: navigation, the title, the publication date."""
        self.emit(self.rng.choice(["Aller au contenu", "Menu", "Accueil"]), "", self.recap_title(), "",
                  f"Publié le {french_date(self.published(), weekday=False)}", "")

    def text_footer(self) -> None:
        self.heading(self.rng.choice(["Conclusion", "Le mot de la fin", "Pour conclure"]))
        self.paragraph(self.rng.choice(CONCLUSIONS))
        self.emit("Articles similaires", "")
        for _ in range(3):
            self.emit(self.rng.choice(["Nos notes sur", "Retour sur", "Bilan de"]) + " "
                      + self.rng.choice(["une année de conférences", "notre séminaire interne", "la rentrée tech",
                                         "nos meetups de l'hiver", "la semaine du libre"]), "")
        self.emit("Partager cet article")

    def _text_blog(self) -> None:
        self.text_header()
        self.paragraph(self.intro())
        listed = self.talks[-self.rng.randint(2, 3):] if len(self.talks) >= 8 and self.rng.random() < 0.25 else []
        for talk in self.talks[: len(self.talks) - len(listed)]:
            self.text_talk(talk, "prose")
        if listed:
            self.heading("Les autres talks qui valaient le détour")
            for talk in listed:
                self.list_item(talk)
            self.emit("")
        self.text_footer()

    def _text_toc(self) -> None:
        self.text_header()
        titles = [self.title_as_written(t) for t in self.talks]
        self.emit(self.rng.choice(["Table des matières", "Sommaire"]), "Introduction", *titles, "Conclusion", "")
        self.heading("Introduction")
        self.paragraph(self.intro())
        for talk, title in zip(self.talks, titles):
            self.text_talk(talk, "speaker-line", title)
        self.text_footer()

    def _text_sections(self) -> None:
        self.text_header()
        self.paragraph(self.intro())
        groups: dict[str, list[Talk]] = {}
        for talk in self.talks:
            groups.setdefault(talk.theme, []).append(talk)
        for theme, talks in groups.items():
            self.emit("", f"Track {theme[0].upper()}{theme[1:]}" if self.rng.random() < 0.5 else
                      f"{theme[0].upper()}{theme[1:]}")
            for talk in talks:
                self.text_talk(talk, self.rng.choice(["title", "prose"]))
        self.text_footer()

    def text_talk(self, talk: Talk, style: str, title: str | None = None) -> None:
        rng = self.rng
        title = title or self.title_as_written(talk)
        names, orgs = self.speakers_as_written(talk)
        tools = self.mentioned_tools(talk)
        heading, who = title, None
        if style == "speaker-line":
            self.heading(heading)
            if len(self.authors) > 1 or rng.random() < 0.5:
                self.emit(f"Rédigé par : {rng.choice(self.authors)}")
            shared = len(set(orgs)) == 1 and orgs[0]
            if shared:
                line = " & ".join(names) + f", {orgs[0]}"
            else:
                line = " & ".join(n + (f" ({o})" if o else "") for n, o in zip(names, orgs))
            self.emit(("Speakers : " if len(names) > 1 else "Speaker : ") + line)
        elif style == "title":
            shared = len(set(orgs)) == 1 and orgs[0]
            heading = f"{title} – {', '.join(names)}" + (f" ({orgs[0]})" if shared else "")
            orgs = [o if shared else None for o in orgs]
            self.heading(heading)
        else:
            who = self.speakers_in_prose(names, orgs)
            self.heading(heading)
        for text in self.body(talk, who, self.first_names(names), tools):
            self.emit(text)
        self.record(talk, title, orgs, tools)


# ---------------------------------------------------------------- the corpus

def _plan(world: World, n: int, rng: random.Random) -> list[tuple[Edition, int, str, tuple[str, ...], int]]:
    """(edition, talk count, layout, authors, words) of each recap, in file order."""
    plan = []
    layouts, layout_weights = list(LAYOUTS), list(LAYOUTS.values())
    while len(plan) < n:
        edition = world.edition(rng)
        for _ in range(min(n - len(plan), rng.choice((1, 2, 2, 3, 3, 4)))):  # several authors cover one edition
            size = rng.randint(*TALKS_PER_RECAP)
            layout = rng.choices(layouts, layout_weights)[0]
            authors = tuple(world.people[rng.randrange(len(world.people))]
                            for _ in range(rng.randint(2, 3) if layout == "text-toc" else 1))
            words = int(rng.triangular(*WORDS_PER_RECAP))
            edition.recap_sizes.append(size)
            plan.append((edition, size, layout, authors, words))
    rng.shuffle(plan)
    return plan


def generate(n: int, out: Path, seed: int = 0) -> Truth:
    """Writes n recaps into the folder out (created if needed) and returns what they say."""
    out.mkdir(parents=True, exist_ok=True)
    world = World(n, seed)
    truth = Truth(seed)
    width = max(5, len(str(n - 1)))
    for index, (edition, size, layout, authors, words) in enumerate(_plan(world, n, random.Random(f"{seed}/plan"))):
        rng = random.Random(f"{seed}/recap/{index}")
        program = world.program(edition)
        chosen = sorted(rng.sample(range(len(program)), size))  # in the order of the day
        talks = [program[i] for i in chosen]
        # an author does not recap their own talk (a recap keeps at least one talk)
        talks = [t for t in talks if not {s.name for s in t.speakers} & set(authors)] or talks[:1]
        writer = RecapWriter(world, rng, edition, talks, layout, authors, words)
        text = writer.write()
        suffix = ".md" if layout.startswith("md") and rng.random() < 0.5 else ".txt"
        name = f"{index:0{width}d}-{slug(edition.name)}{suffix}"
        (out / name).write_text(text, encoding="utf-8")
        truth.recaps.append(RecapTruth(name, layout, edition, authors, writer.truth, len(text.split())))
    return truth


_GENERATED = re.compile(r"^\d{5,}-[a-z0-9-]+\.(txt|md)$")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write N synthetic French conference recaps into OUTDIR.")
    parser.add_argument("n", type=int, metavar="N", help="how many recaps")
    parser.add_argument("outdir", type=Path, metavar="OUTDIR", help="folder to write them into (created)")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same bytes (default: 0)")
    parser.add_argument("--truth", type=Path, metavar="FILE", help="also write what each file says, as JSON")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty OUTDIR, replacing the recaps a previous run generated there")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    if args.outdir.exists() and not args.outdir.is_dir():
        parser.error(f"{args.outdir} is not a folder")
    if args.outdir.is_dir() and any(args.outdir.iterdir()):
        if not args.force:
            parser.error(f"{args.outdir} is not empty: choose another folder, or pass --force")
        for old in args.outdir.iterdir():
            if _GENERATED.match(old.name):
                old.unlink()
    started = time.perf_counter()
    truth = generate(args.n, args.outdir, args.seed)
    if args.truth:
        truth.write(args.truth)
    s = truth.summary()
    print(f"{s['files']:,} recaps in {args.outdir}: {s['words']:,} words ({s['words'] // s['files']:,} per recap), "
          f"{s['events']:,} events of {s['series']} series, {s['talks']:,} talks, {s['people']:,} people, "
          f"{s['organizations']:,} organisations, {s['tools']:,} tools "
          f"[seed {args.seed}, {time.perf_counter() - started:.1f} s]", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
